"""Override files (`override.tf`, `*_override.tf`) merged as Terraform merges them, on the parsed form
Checkov reads (https://developer.hashicorp.com/terraform/language/files/override).

Terraform reads a module directory's other files first, then each override file in lexical order,
and merges every top-level block of it into the block with the same header: an argument replaces the
argument of that name, a nested block (or `dynamic` block) replaces all nested blocks of its type,
`lifecycle` is merged argument by argument, locals value by value, `required_providers` provider by
provider. A block with nothing to override is an error (except a default provider configuration or a
`terraform` block, which stand on their own), as are `depends_on` and `moved` in an override file.

The merged block stays where the original is (its file and lines, which findings name); the override
file keeps only the blocks that stand on their own. open_directory checks the real files first (an
error is exit 2 naming the override block); while Checkov parses the staged copy, `merging()` hands
it the merged form, where a block whose original was left out (count = 0) is dropped, not an error.
"""

from __future__ import annotations

import contextlib
import copy
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from brokerguard.errors import InputError

_OVERRIDE = re.compile(r"(?:.*_)?override\.tf")
# Blocks with labels: how many labels make the header (provider "aws" is told apart by its alias).
_LABELLED = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1}


def is_override(path: Path) -> bool:
    return bool(_OVERRIDE.fullmatch(path.name))


class OverrideError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _line(conf: Any) -> int:
    return int(conf.get("__start_line__", 0)) if isinstance(conf, dict) else 0


def _merge_body(base: dict, over: dict) -> dict:
    """Arguments replace arguments; nested blocks of a type (static or dynamic) replace all of that type."""
    merged = dict(base)
    over_dynamic = [d for d in over.get("dynamic") or [] if isinstance(d, dict)]
    replaced = {k for k in over if not k.startswith("__") and k != "dynamic"} | {label for d in over_dynamic for label in d}
    for key in replaced:
        merged.pop(key, None)
    kept = [d for d in base.get("dynamic") or [] if isinstance(d, dict) and not set(d) & replaced]
    for key, value in over.items():
        if not key.startswith("__") and key != "dynamic":
            merged[key] = value
    if kept or over_dynamic:
        merged["dynamic"] = kept + over_dynamic
    else:
        merged.pop("dynamic", None)
    return merged


def _merge_resource(base: dict, over: dict) -> dict:
    merged = _merge_body(base, over)
    if "lifecycle" in over and "lifecycle" in base:  # merged argument by argument
        first = (base["lifecycle"] or [{}])[0]
        merged["lifecycle"] = [{**first, **(over["lifecycle"] or [{}])[0]}]
    if "count" in merged and "for_each" in merged:
        raise OverrideError(_line(over), "the merged block sets both count and for_each")
    return merged


def _merge_terraform(base: dict, over: dict) -> dict:
    merged = _merge_body(base, over)
    if "required_providers" in over and "required_providers" in base:  # provider by provider
        providers = {**(base["required_providers"] or [{}])[0], **(over["required_providers"] or [{}])[0]}
        merged["required_providers"] = [providers]
    return merged


def _header(kind: str, label: str, conf: dict) -> tuple[str, ...]:
    if kind == "provider":
        alias = conf.get("alias")
        return (kind, label, str(alias[0] if isinstance(alias, list) and alias else alias or ""))
    return (kind, label)


def _entries(parsed: dict, kind: str) -> Iterator[tuple[tuple[str, ...], dict, dict, str]]:
    """(header, the dict holding the block, the block, its key there) for every block of kind."""
    for block in parsed.get(kind) or []:
        if not isinstance(block, dict):
            continue
        if _LABELLED.get(kind) == 2:
            for rtype, named in block.items():
                for name, conf in (named or {}).items() if isinstance(named, dict) else []:
                    if isinstance(conf, dict):
                        yield (kind, rtype, name), named, conf, name
        else:
            for label, conf in block.items():
                if isinstance(conf, dict):
                    yield _header(kind, label, conf), block, conf, label


Merged = dict[tuple[Path, int], list[tuple[Path, int]]]  # (file, line) of an original -> override blocks merged in


def merge_directory(parsed: dict[Path, dict], strict: bool, merged: Merged | None = None) -> dict[Path, dict]:
    """The files of one module directory with its override files merged into the others.

    strict: an override block with nothing to override is an error (else it is dropped: its original
    was left out of this copy because Terraform would not create it). merged: filled with where each
    override block went."""
    out = {p: copy.deepcopy(doc) for p, doc in parsed.items()}
    bases = [p for p in sorted(out) if not is_override(p)]
    index: dict[tuple[str, ...], tuple[dict, str, Path]] = {}
    local_names: dict[str, dict] = {}
    terraform: dict | None = None
    for path in bases:
        doc = out[path]
        for kind in _LABELLED:
            for header, holder, _conf, key in _entries(doc, kind):
                index.setdefault(header, (holder, key, path))
        for block in doc.get("locals") or []:
            for name in block if isinstance(block, dict) else []:
                if not name.startswith("__"):
                    local_names.setdefault(name, block)
        if terraform is None:
            terraform = next((b for b in doc.get("terraform") or [] if isinstance(b, dict)), None)
    for path in sorted(p for p in out if is_override(p)):
        try:
            out[path] = _apply(path, out[path], index, local_names, terraform, strict, merged if merged is not None else {})
        except OverrideError as exc:
            where = f"{path}:{exc.line}" if exc.line else str(path)
            raise InputError(f"{where}: {exc}", hint="Terraform refuses this override file too; an override "
                             "file can only change blocks the module's other files define") from None
        if terraform is None:
            terraform = next((b for b in out[path].get("terraform") or [] if isinstance(b, dict)), None)
    return out


def _apply(path: Path, doc: dict, index: dict, local_names: dict[str, dict], terraform: dict | None, strict: bool,
           merged: Merged) -> dict:
    """Merge one override file into the blocks it names; what stays in it stands on its own."""
    if doc.get("moved"):
        raise OverrideError(_line(doc["moved"][0]), "a moved block cannot be in an override file")
    rest: dict[str, list] = {}
    for kind in _LABELLED:
        for header, _holder, conf, _key in list(_entries(doc, kind)):
            if "depends_on" in conf and kind in ("resource", "data", "output", "module"):
                raise OverrideError(_line(conf), f"{' '.join(header)}: depends_on cannot be overridden")
            if header not in index:
                if kind == "provider" and not header[2]:  # a default provider configuration may stand alone
                    rest.setdefault(kind, []).append({header[1]: conf})
                    index[header] = (rest[kind][-1], header[1], path)
                elif strict:
                    raise OverrideError(_line(conf), f"{' '.join(header)}: nothing to override (no such block in "
                                        "the module's other files)")
                continue
            holder, key, original = index[header]
            merge: Callable[[dict, dict], dict] = _merge_resource if kind in ("resource", "data") else _merge_body
            merged.setdefault((original, _line(holder[key])), []).append((path, _line(conf)))
            holder[key] = merge(holder[key], conf)
    for block in doc.get("locals") or []:
        for name, value in block.items() if isinstance(block, dict) else []:
            if name.startswith("__"):
                continue
            if name in local_names:
                local_names[name][name] = value
            elif strict:
                raise OverrideError(_line(block), f"local.{name}: nothing to override (no such local value)")
    for block in doc.get("terraform") or []:
        if isinstance(block, dict):
            if terraform is not None:
                terraform.update(_merge_terraform(terraform, block))
            else:
                rest.setdefault("terraform", []).append(block)
    return rest


def _module_directories(files: list[Path]) -> dict[Path, list[Path]]:
    by_dir: dict[Path, list[Path]] = {}
    for f in files:
        by_dir.setdefault(f.parent, []).append(f)
    return {d: fs for d, fs in by_dir.items() if any(is_override(f) for f in fs)}


def check(files: list[Path]) -> None:
    """Merge the override files of the tree as Terraform would, refusing what Terraform refuses."""
    import hcl2  # bc-python-hcl2, installed with checkov

    for paths in _module_directories(files).values():
        try:
            parsed = {path: hcl2.loads(path.read_text(encoding="utf-8")) for path in paths}
        except Exception:  # noqa: BLE001 (Checkov names the file and line it cannot parse)
            continue
        merge_directory(parsed, strict=True)


def _parse(parser: Any, path: Path) -> Any:
    with open(path, encoding="utf-8-sig") as fh:
        return parser.load(fh)


@contextlib.contextmanager
def merging() -> Iterator[Merged]:
    """While Checkov parses a staged tree, the files of a directory with override files are handed to it
    merged (each directory merged once, on first use); yields where override blocks went."""
    from brokerguard import compat_checkov

    merged: dict[Path, dict[Path, dict]] = {}
    listed: dict[Path, list[Path]] = {}  # each directory's .tf files, listed once
    where: Merged = {}

    class Merging:
        def __init__(self, parser: Any) -> None:
            self.parser = parser

        def load(self, fh: Any) -> Any:
            path = Path(os.path.abspath(fh.name))
            if path.parent not in listed:
                listed[path.parent] = sorted(p for p in path.parent.glob("*.tf") if p.is_file())
            names = listed[path.parent]
            if path not in names or not any(is_override(p) for p in names):
                return self.parser.load(fh)
            if path.parent not in merged:
                try:
                    parsed = {p: _parse(self.parser, p) for p in names}
                except Exception:  # noqa: BLE001 (a file that does not parse: Checkov names it when it loads it,
                    return self.parser.load(fh)  # and the scan stops)
                merged[path.parent] = merge_directory(parsed, False, where)
            return copy.deepcopy(merged[path.parent][path])

        def __getattr__(self, name: str) -> Any:
            return getattr(self.parser, name)

    with compat_checkov.hcl_parser(Merging):
        yield where
