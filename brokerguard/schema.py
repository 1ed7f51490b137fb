"""Small validators shared by the catalog and the profile: every error names where it is."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from brokerguard.errors import InputError

MAX_YAML_BYTES = 1024 * 1024  # a profile or the catalog is a few kilobytes; refuse anything huge unread


MAX_YAML_NODES = 100_000  # nodes a document may expand to through its aliases; a profile has a few hundred
MERGE_TAG = "tag:yaml.org,2002:merge"


# libyaml's parser when PyYAML was built with it (the catalog, rule sets and metadata are ~50 files a scan)
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """Safe loading that refuses a key given twice (PyYAML would silently keep the last one), refuses
    a document whose aliases expand past MAX_YAML_NODES (billion laughs: refused before anything is
    built), keeps merge keys (``<<: *defaults``), and says which date does not exist (PyYAML raises
    a bare ValueError without the line)."""

    def get_single_node(self) -> yaml.Node | None:
        node = super().get_single_node()
        if node is not None:
            _expanded_size(node, {})
        return node

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set = set()
        for key_node, _ in node.value:
            if key_node.tag == MERGE_TAG:  # merged keys may be overridden here: only own keys count twice
                continue
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> object:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(None, None, f"{node.value!r} is not a valid date ({exc})",
                                                    node.start_mark) from None


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_timestamp)


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many nodes ``node`` stands for once every alias is expanded; each node is sized once
    (aliases share their node), so the count itself is linear in the document."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    sizes[key] = MAX_YAML_NODES + 1  # a node that contains itself never finishes expanding
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(child, sizes) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size += sum(_expanded_size(k, sizes) + _expanded_size(v, sizes) for k, v in node.value)
    if size > MAX_YAML_NODES:
        raise yaml.composer.ComposerError(None, None, f"aliases expand to more than {MAX_YAML_NODES:,} nodes "
                                          "(nested anchors: refused before expanding)", node.start_mark)
    sizes[key] = size
    return size


def read_limited(path: Path, limit: int, what: str) -> bytes:
    """A file's bytes, refused by size before they are read: no hand-written input is this large."""
    size = path.stat().st_size
    if size > limit:
        raise InputError(f"{path}: {size:,} bytes is over the {limit:,}-byte limit for {what}; refused before parsing")
    return path.read_bytes()


def load_yaml(path: Path) -> Any:
    """Safe-load a YAML file; any failure is an InputError naming the file and line."""
    try:
        text = read_limited(path, MAX_YAML_BYTES, "a YAML file").decode("utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "maximum nesting depth" in problem:  # libyaml's words for what PyYAML's recursion limit stops
            problem = "nested too deeply"
        raise InputError(f"{path}{where}: invalid YAML ({problem})") from None
    except ValueError as exc:
        # Anything else a constructor rejects without a YAMLError.
        raise InputError(f"{path}: invalid value ({exc})") from None
    except RecursionError:  # PyYAML composes nested nodes recursively
        raise InputError(f"{path}: invalid YAML (nested too deeply)") from None


def mapping(value: Any, where: str, required: set[str], optional: set[str] = frozenset()) -> dict:
    """A dict with exactly the allowed keys: unknown keys are typos, and typos are errors."""
    if not isinstance(value, dict):
        raise InputError(f"{where}: expected a mapping, got {type(value).__name__}")
    unknown = sorted(set(map(str, value)) - required - set(optional))
    if unknown:
        raise InputError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(required | set(optional)))})")
    missing = sorted(required - set(value))
    if missing:
        raise InputError(f"{where}: missing key {missing[0]!r}")
    return value


LANGS = ("zh-TW", "en")  # every text a user reads exists in both


def bilingual(value: Any, where: str) -> dict[str, str]:
    """{zh-TW: ..., en: ...}, both non-empty."""
    value = mapping(value, where, set(LANGS))
    return {lang: text(value[lang], f"{where}.{lang}") for lang in LANGS}


def text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{where}: expected non-empty text, got {value!r}")
    return value


def date(value: Any, where: str) -> dt.date:
    """A calendar date: YAML dates, or 'YYYY-MM-DD' strings that exist (2023-02-30 does not)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise InputError(f"{where}: {value!r} is not a valid date (YYYY-MM-DD)")


def string_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InputError(f"{where}: expected a list of strings, got {value!r}")
    return value
