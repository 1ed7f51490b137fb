"""What Checkov's HCL renderer could not evaluate: such a value is unknown, never a literal.

Checkov leaves what it cannot evaluate as text (`var.x` with no value, `each.value`, a condition, a
function call), as null (`aws_x.y.id != null`) or as an empty object (an `optional()` default), and
keeps a resource whose `count` is 0 or whose `for_each` is empty. Terraform would create no such
resource, and none whose count it cannot know for certain. Which attributes were expressions comes
from the parsed files before rendering (the parser is wrapped while Checkov reads them).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brokerguard.policies.meta import Text

# Text a rendered value keeps when Checkov could not evaluate an expression.
_LEFTOVER = re.compile(
    r"\$\{|\b(?:var|local|each|count|module|data|path|self|terraform)\.\w"
    r"|\b[a-z_][a-z0-9_]*\(|\?.*:|[!=<>]=|&&|\|\||\b\w+\.(?:value|key)\b")
# A reference to another resource's identity is a link, as in a plan (`subnet_id = aws_subnet.a.id`).
# The attributes that name a resource (what a plan links by), as opposed to its other values.
IDENTITY = r"(?:id|arn|name|bucket|domain|identifier|\w+_(?:id|arn|name))"
_LINK = re.compile(r"(?:module\.[\w-]+(?:\[[^\]]*\])?\.)*(?:data\.)?aws_[a-z0-9_]+\.[\w-]+(?:\[[^\]]*\])?"
                   rf"\.{IDENTITY}")
_REFERENCE = re.compile(r"(?:module\.[\w-]+(?:\[[^\]]*\])?\.)*(?:data\.)?aws_[a-z0-9_]+\.[\w-]+(?:\[[^\]]*\])?\.\w+")
_EMPTY_COLLECTIONS = {"set()", "[]", "{}", "toset([])", "tomap({})", "tolist([])"}
META_ARGUMENTS = {"count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"}


def has_dynamic(value: Any) -> bool:
    if isinstance(value, dict):
        return "dynamic" in value or any(has_dynamic(v) for k, v in value.items() if not k.startswith("__"))
    if isinstance(value, list):
        return any(has_dynamic(v) for v in value)
    return False


@dataclass
class ParsedModules:
    """What the expansion needs of each parsed file: variable, locals and module blocks, and the
    resources written with dynamic blocks (copied as parsed: Checkov changes its own copy)."""

    variables: dict[str, dict[str, dict]] = field(default_factory=dict)  # directory -> name -> block
    types: dict[str, dict[str, str]] = field(default_factory=dict)  # directory -> name -> type as written
    locals: dict[str, dict[str, Any]] = field(default_factory=dict)  # directory -> name -> expression
    modules: dict[str, dict[str, dict]] = field(default_factory=dict)  # file -> call name -> block
    resources: dict[tuple[str, str, str], dict] = field(default_factory=dict)  # (file, type, name) -> block

    def record(self, file: str, parsed: Any) -> None:
        if not isinstance(parsed, dict):
            return
        directory = str(Path(file).parent)
        if parsed.get("variable"):
            from brokerguard.providers.terraform_types import type_texts

            with contextlib.suppress(OSError, UnicodeDecodeError):  # Checkov has just read it
                self.types.setdefault(directory, {}).update(type_texts(Path(file).read_text(encoding="utf-8-sig")))
        for kind, into in (("variable", self.variables.setdefault(directory, {})),
                           ("module", self.modules.setdefault(file, {}))):
            for block in parsed.get(kind) or []:
                for name, conf in block.items() if isinstance(block, dict) else []:
                    if isinstance(conf, dict):
                        into[name] = json.loads(json.dumps(conf, default=str))
        for block in parsed.get("locals") or []:
            for name, value in block.items() if isinstance(block, dict) else []:
                if not name.startswith("__"):
                    self.locals.setdefault(directory, {})[name] = json.loads(json.dumps(value, default=str))
        for block in parsed.get("resource") or []:
            for rtype, named in block.items() if isinstance(block, dict) else []:
                for name, conf in named.items() if isinstance(named, dict) else []:
                    if isinstance(conf, dict) and has_dynamic(conf):
                        self.resources[(file, rtype, name)] = json.loads(json.dumps(conf, default=str))


@dataclass
class Expressions:
    """Per parsed block (file, type, name): attributes written as expressions; and what the expansion
    of dynamic blocks needs (terraform_dynamic)."""

    attributes: dict[tuple[str, str, str], dict[str, str]] = field(default_factory=dict)  # name -> parsed, as JSON
    modules: ParsedModules = field(default_factory=ParsedModules)

    def record(self, file: str, parsed: Any) -> None:
        self.modules.record(file, parsed)
        for kind in ("resource", "module"):
            for block in parsed.get(kind) or [] if isinstance(parsed, dict) else []:
                for rtype, named in block.items() if isinstance(block, dict) else []:
                    if kind == "module":  # module "name" {...}: one label
                        named = {rtype: named}
                        rtype = "module"
                    for name, conf in (named or {}).items() if isinstance(named, dict) else []:
                        if not isinstance(conf, dict):
                            continue
                        key = (file, rtype, name)
                        written = ((a, json.dumps(v, default=str)) for a, v in conf.items() if not a.startswith("__"))
                        self.attributes[key] = {a: text for a, text in written if "${" in text}


def _without_dynamic_blocks(parsed: Any) -> None:
    """Checkov is not given the dynamic blocks of resources: terraform_dynamic expands them from what
    was recorded, and Checkov's own expansion (measured wrong, and most of the time of a scan of a
    module heavy with dynamic blocks) then has nothing to do."""
    def strip(value: Any) -> None:
        if isinstance(value, dict):
            value.pop("dynamic", None)
            for v in value.values():
                strip(v)
        elif isinstance(value, list):
            for v in value:
                strip(v)

    for block in parsed.get("resource") or [] if isinstance(parsed, dict) else []:
        strip(block)


@contextlib.contextmanager
def recording() -> Iterator[Expressions]:
    """While Checkov parses files, note which attributes were expressions (rendering overwrites them)
    and what dynamic expansion needs; Checkov gets the files without their resources' dynamic blocks."""
    from brokerguard import compat_checkov

    found = Expressions()

    class Recording:
        def __init__(self, parser: Any) -> None:
            self.parser = parser

        def load(self, fh: Any) -> Any:
            parsed = self.parser.load(fh)
            found.record(str(Path(fh.name).resolve()), parsed)
            _without_dynamic_blocks(parsed)
            return parsed

        def __getattr__(self, name: str) -> Any:
            return getattr(self.parser, name)

    with compat_checkov.hcl_parser(Recording):
        yield found


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def existence(conf: dict) -> str | None:
    """"no" when count is 0 or for_each empty, "maybe" when either cannot be evaluated, else None."""
    if "count" in conf:
        count = _first(conf["count"])
        if isinstance(count, bool) or not isinstance(count, (int, float)):
            try:
                count = int(str(count).strip())
            except ValueError:
                return "maybe"
        return "no" if count == 0 else None
    if "for_each" in conf:
        each = _first(conf["for_each"])
        if isinstance(each, (dict, list, set, tuple)):
            return "no" if not each else None
        text = str(each).strip() if each is not None else ""
        if text in _EMPTY_COLLECTIONS:
            return "no"
        return "maybe"
    return None


def unresolved(value: Any, expression: bool = True) -> Text | None:
    """Why a rendered value is not a value: the text left of an expression, or None when it is one."""
    if value is None:
        return Text("null left by an expression Checkov could not evaluate",
                    "Checkov 無法求值的運算式留下 null") if expression else None
    if isinstance(value, str):
        rest = _LINK.sub("", value)
        if _REFERENCE.search(rest):
            return Text(f"`{value[:80]}` is known only after apply", f"`{value[:80]}` 要到 apply 後才知道")
        if _LEFTOVER.search(rest):
            return Text(f"`{value[:80]}` could not be evaluated", f"`{value[:80]}` 無法求值")
        return None
    if isinstance(value, dict):
        if not value:
            return Text("an empty object left by an expression (an optional() default?)",
                        "運算式留下空物件（optional() 預設值？）")
        for v in value.values():
            if (why := unresolved(v)) is not None:
                return why
        return None
    if isinstance(value, list):
        for v in value:
            if (why := unresolved(v)) is not None:
                return why
    return None


def unresolved_parts(parsed: Any, rendered: Any) -> Text | None:
    """Walk what was written beside what Checkov rendered; only the parts written as expressions count."""
    if isinstance(parsed, str):
        return unresolved(rendered) if "${" in parsed else None
    if isinstance(parsed, dict) and isinstance(rendered, dict):
        for key, part in parsed.items():
            if key == "dynamic":  # expanded by terraform_dynamic, which says what it could not know
                continue
            if key not in rendered:
                if "${" in json.dumps(part, default=str):
                    return Text(f"{key}: an expression Checkov could not evaluate", f"{key}：Checkov 無法求值的運算式")
                continue
            if (why := unresolved_parts(part, rendered[key])) is not None:
                return why
        return None
    if isinstance(parsed, list) and isinstance(rendered, list) and len(parsed) == len(rendered):
        for part, value in zip(parsed, rendered, strict=True):
            if (why := unresolved_parts(part, value)) is not None:
                return why
        return None
    return unresolved(rendered)  # the shape changed: an expression made it, so it is judged whole


def unknown_attributes(conf: dict, expressions: dict[str, str]) -> dict[str, Text]:
    """Attributes of one rendered resource whose value brokerguard cannot know, with why (dynamic
    blocks aside: terraform_dynamic expands them and says what it could not know)."""
    gaps = {}
    for attr in sorted(set(expressions) - META_ARGUMENTS - {"dynamic"}):
        if attr not in conf:
            gaps[attr] = Text("an expression Checkov could not evaluate", "Checkov 無法求值的運算式")
        elif (why := unresolved_parts(json.loads(expressions[attr]), conf[attr])) is not None:
            gaps[attr] = why
    return gaps
