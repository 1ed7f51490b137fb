"""Type constraints of variables, and Terraform's conversion of a value to them, for the variables
whose type has `optional()` attributes (Checkov leaves those unevaluated): a root module's value
(default or from outside) is written converted into its variable file; a called module's default is
rewritten converted in the staged copy (terraform_stage), and so is a literal a module call passes
to one. Any other value a call passes is not converted: what the module reads of it stays unknown.

Terraform converts every value a variable gets (default, tfvars, -var, TF_VAR_*) to its type: an
object keeps the attributes its type declares, an optional attribute that is missing or null gets
its default (converted to its own type, so nested defaults apply too) or null, lists, sets, maps and
tuples convert element by element, and primitives convert between strings, numbers and booleans. A
value that is not a literal (an expression Checkov would leave as text) stays unknown: the variable
is left as it was, and the checks that read it cannot judge.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brokerguard.errors import InputError
from brokerguard.providers.terraform_override import is_override

_TOKEN = re.compile(r'\s+|#[^\n]*|//[^\n]*|/\*.*?\*/|(?P<str>"(?:[^"\\]|\\.)*")|(?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)'
                    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*)|(?P<punct>[()\[\]{},=:])", re.DOTALL)
_VARIABLE = re.compile(r'^[ \t]*variable[ \t]+"([^"]+)"[ \t]*\{', re.MULTILINE)
_TYPE_ARGUMENT = re.compile(r"^[ \t]*type[ \t]*=[ \t]*", re.MULTILINE)
_DEFAULT_ARGUMENT = re.compile(r"^[ \t]*default[ \t]*=[ \t]*", re.MULTILINE)
_PRIMITIVES = ("string", "number", "bool", "any")


class UnknownValueError(Exception):
    """A type or value brokerguard does not read: the variable is left to Checkov (cannot judge)."""


@dataclass(frozen=True)
class Type:
    kind: str  # string, number, bool, any, list, set, map, tuple, object
    element: Type | None = None  # list, set, map
    elements: tuple[Type, ...] = ()  # tuple
    attributes: tuple[tuple[str, Type, bool, Any], ...] = ()  # object: (name, type, optional, default or _NONE)

    @property
    def has_optional(self) -> bool:
        return any(opt or t.has_optional for _, t, opt, _ in self.attributes) or bool(
            self.element and self.element.has_optional) or any(t.has_optional for t in self.elements)


_NONE = object()  # an optional attribute without a default


class _Reader:
    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if not match:
                raise UnknownValueError(f"cannot read {text[pos:pos + 20]!r}")
            pos = match.end()
            kind = match.lastgroup
            if kind:
                self.tokens.append((kind, match.group(kind)))
        self.i = 0

    def peek(self) -> str:
        return self.tokens[self.i][1] if self.i < len(self.tokens) else ""

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.i >= len(self.tokens) or (expected is not None and self.tokens[self.i][1] != expected):
            raise UnknownValueError(f"expected {expected}")
        self.i += 1
        return self.tokens[self.i - 1]

    def type(self) -> Type:
        _, name = self.take()
        if name in _PRIMITIVES:
            return Type(name)
        self.take("(")
        if name in ("list", "set", "map"):
            out = Type(name, element=self.type())
        elif name == "tuple":
            self.take("[")
            items = []
            while self.peek() != "]":
                items.append(self.type())
                if self.peek() == ",":
                    self.take(",")
            self.take("]")
            out = Type("tuple", elements=tuple(items))
        elif name == "object":
            out = Type("object", attributes=tuple(self._attributes()))
        else:
            raise UnknownValueError(f"type {name}")
        self.take(")")
        return out

    def _attributes(self) -> list[tuple[str, Type, bool, Any]]:
        self.take("{")
        out = []
        while self.peek() != "}":
            kind, key = self.take()
            key = json.loads(key) if kind == "str" else key
            self.take("=") if self.peek() == "=" else self.take(":")
            if self.peek() == "optional":
                self.take()
                self.take("(")
                inner, default = self.type(), _NONE
                if self.peek() == ",":
                    self.take(",")
                    default = self.value()
                self.take(")")
                out.append((key, inner, True, default))
            else:
                out.append((key, self.type(), False, _NONE))
            if self.peek() == ",":
                self.take(",")
        self.take("}")
        return out

    def value(self) -> Any:
        """An HCL literal (a default); anything else is an expression, not read here."""
        kind, text = self.take()
        if kind == "str":
            if "${" in text or "%{" in text:
                raise UnknownValueError("a template")
            return json.loads(text)
        if kind == "num":
            return json.loads(text)
        if text in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[text]
        if text in ("[", "{"):
            close = "]" if text == "[" else "}"
            items: list[Any] = []
            mapping: dict[str, Any] = {}
            while self.peek() != close:
                if close == "]":
                    items.append(self.value())
                else:
                    key_kind, key = self.take()
                    mapping[json.loads(key) if key_kind == "str" else key] = (self.take(), self.value())[1]
                if self.peek() == ",":
                    self.take(",")
            self.take(close)
            return items if close == "]" else mapping
        raise UnknownValueError(f"an expression ({text})")


def parse_type(text: str) -> Type:
    reader = _Reader(text)
    out = reader.type()
    if reader.i != len(reader.tokens):
        raise UnknownValueError("text after the type")
    return out


def convert(value: Any, t: Type, where: str) -> Any:
    """value converted to t as Terraform converts a variable's value; UnknownValueError when it cannot know."""
    if value is None:
        return None
    if isinstance(value, str) and "${" in value:
        raise UnknownValueError("an expression")
    if t.kind == "any":
        if "${" in json.dumps(value, default=str):
            raise UnknownValueError("an expression")
        return value
    if t.kind in ("string", "number", "bool"):
        return _primitive(value, t.kind)
    if t.kind in ("list", "set", "tuple"):
        if not isinstance(value, list):
            raise UnknownValueError("not a list")
        if t.kind == "tuple":
            if len(value) != len(t.elements):
                raise UnknownValueError("tuple length")
            return [convert(v, e, f"{where}[{i}]") for i, (v, e) in enumerate(zip(value, t.elements, strict=True))]
        assert t.element is not None
        return [convert(v, t.element, f"{where}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, dict):
        raise UnknownValueError("not an object")
    if t.kind == "map":
        assert t.element is not None
        return {k: convert(v, t.element, f"{where}[{k!r}]") for k, v in value.items()}
    out = {}
    for name, atype, optional, default in t.attributes:
        given = value.get(name)
        if given is not None:
            out[name] = convert(given, atype, f"{where}.{name}")
        elif optional:  # missing or null: the default, itself converted, or null
            out[name] = None if default is _NONE else convert(default, atype, f"{where}.{name}")
        elif name in value:
            out[name] = None
        else:
            raise InputError(f"{where}: attribute \"{name}\" is required by the variable's type",
                             hint="Terraform refuses this value too: give the attribute, or make it optional()")
    return out


def _primitive(value: Any, kind: str) -> Any:
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
    elif kind == "number":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value):
            return json.loads(value)
    elif isinstance(value, str):
        return value
    elif isinstance(value, bool):
        return "true" if value else "false"
    elif isinstance(value, (int, float)):
        return str(value)
    raise UnknownValueError(f"not a {kind}")


@dataclass(frozen=True)
class Declaration:
    name: str
    type_text: str
    default: Any  # _NONE when the variable has no default
    default_at: tuple[Path, int, int] | None = None  # where the default's expression is written


def _expression_text(text: str, start: int) -> str:
    """The expression that starts at start, to the end of its line outside brackets and strings."""
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if c == '"':
            i += 1
            while i < len(text) and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "\n" and depth <= 0:
            break
        i += 1
    return text[start:i]


def type_texts(text: str) -> dict[str, str]:
    """Every variable's type constraint as written in one file's text (for parse_type)."""
    from brokerguard.providers.terraform_tree import block_text

    out = {}
    for match in _VARIABLE.finditer(text):
        block = block_text(text, match.start())
        body = block[block.index("{") + 1:]
        type_match = _TYPE_ARGUMENT.search(body)
        if type_match:
            out[match.group(1)] = _expression_text(body, type_match.end()).strip()
    return out


def declarations(files: Iterable[Path]) -> dict[str, Declaration]:
    """The variables of one module whose type has optional() attributes, override files applied in
    Terraform's order (a later type or default replaces an earlier one)."""
    import hcl2  # bc-python-hcl2, installed with checkov

    from brokerguard.providers.terraform_tree import block_text

    found: dict[str, Declaration] = {}
    for path in sorted(files, key=lambda p: (is_override(p), p.name)):
        text = path.read_text(encoding="utf-8")
        for match in _VARIABLE.finditer(text):
            block = block_text(text, match.start())
            name = match.group(1)
            if "optional" not in block and name not in found:
                continue  # parsed only when optional() may type it (an override may change its default)
            body_at = match.start() + block.index("{") + 1
            body = text[body_at:match.start() + len(block)]
            type_match, default_match = _TYPE_ARGUMENT.search(body), _DEFAULT_ARGUMENT.search(body)
            try:
                conf = hcl2.loads(block)["variable"][0][name]
            except Exception:  # noqa: BLE001 (Checkov names the file and line it cannot parse)
                continue
            old = found.get(name, Declaration(name, "", _NONE))
            type_text = _expression_text(body, type_match.end()).strip() if type_match else old.type_text
            if "default" in conf and default_match:
                end = default_match.end() + len(_expression_text(body, default_match.end()))
                found[name] = Declaration(name, type_text, conf["default"][0],
                                          (path, body_at + default_match.end(), body_at + end))
            else:
                found[name] = Declaration(name, type_text, old.default, old.default_at)
    return {name: d for name, d in found.items() if "optional" in d.type_text}


def _depth(text: str, end: int) -> int:
    """How deep in brackets position end of text is (strings skipped)."""
    depth, i = 0, 0
    while i < end:
        c = text[i]
        if c == '"':
            i += 1
            while i < end and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        i += 1
    return depth


def _rewritten(written: str, value: Any) -> str:
    return json.dumps(value) + "\n" * written.count("\n")


def argument_rewrites(text: str, line: int, module_files: Iterable[Path], where: str) -> list[tuple[int, int, str]]:
    """For the module block that starts at line of text: each literal argument given to an
    optional()-typed variable of the module, rewritten converted on as many lines (start, end, text)."""
    from brokerguard.providers.terraform_tree import block_text

    decls = declarations(module_files)
    if not decls:
        return []
    start = sum(len(x) for x in text.splitlines(keepends=True)[: line - 1])
    block = block_text(text, start)
    body_at = start + block.index("{") + 1
    body = text[body_at:start + len(block)]
    out = []
    for name, decl in decls.items():
        for match in re.finditer(rf"^[ \t]*{re.escape(name)}[ \t]*=[ \t]*", body, re.MULTILINE):
            if _depth(body, match.start()) != 0:
                continue
            written = _expression_text(body, match.end())
            try:
                reader = _Reader(written)
                value = reader.value()
                if reader.i != len(reader.tokens):
                    raise UnknownValueError("an expression")
                t = parse_type(decl.type_text)
                converted = convert(value, t, f"{where}: {name}")
            except UnknownValueError:
                continue
            out.append((body_at + match.end(), body_at + match.end() + len(written), _rewritten(written, converted)))
    return out


def default_rewrites(files: Iterable[Path], where: str) -> dict[Path, list[tuple[int, int, str]]]:
    """For a called module: each optional()-typed default rewritten as its converted value, on as many
    lines as it was written on (findings keep their lines), so that Checkov reads what Terraform would
    when the call passes no value. (start, end, text) spans per file."""
    out: dict[Path, list[tuple[int, int, str]]] = {}
    for decl in declarations(files).values():
        if decl.default_at is None:
            continue
        path, start, end = decl.default_at
        try:
            t = parse_type(decl.type_text)
            value = convert(decl.default, t, f"{where}: variable {decl.name}") if t.has_optional else _NONE
        except UnknownValueError:
            continue
        if value is not _NONE:
            written = path.read_text(encoding="utf-8")[start:end]
            out.setdefault(path, []).append((start, end, _rewritten(written, value)))
    return out


def typed_values(files: Iterable[Path], given: dict[str, Any], where: str) -> dict[str, Any]:
    """Values of the variables typed with optional() attributes, converted as Terraform converts them:
    the one given from outside, else the default. A variable with no value, or one brokerguard cannot
    convert, is left out (unknown)."""
    out = {}
    for name, decl in declarations(files).items():
        value = given.get(name, decl.default)
        if value is _NONE:
            continue
        try:
            t = parse_type(decl.type_text)
            if t.has_optional:
                out[name] = convert(value, t, f"{where}: variable {name}")
        except UnknownValueError:
            continue
    return out
