"""Terraform expressions as bc-python-hcl2 writes them (`${rule.value.name}`), evaluated the way
Terraform evaluates them, over values brokerguard knows for certain.

A small subset of the language: literals, templates, references, attribute and index access,
operators, conditionals, for expressions and the common collection functions. Anything outside it,
and every reference the scope cannot give (a resource attribute, a data source, an unset variable),
is Unknown: the caller treats the value as unknown, never as a guess. An expression Terraform would
reject (a missing attribute, null in a template) is an EvalError, which `try()` and `can()` catch
as Terraform does; anywhere else it is unknown too.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any, Protocol

from brokerguard.policies.meta import Text
from brokerguard.providers.terraform_values import IDENTITY


class Unknown(Exception):  # noqa: N818 (a value, not a failure)
    """The value cannot be known before apply, or brokerguard does not evaluate it (why, in en and zh-TW)."""

    def __init__(self, en: str, zh: str | None = None) -> None:
        super().__init__(en)
        self.reason = Text(en, zh or "brokerguard 不求值的運算式")


class EvalError(Exception):
    """Terraform would fail to evaluate this (try() and can() catch it)."""


class Link(str):
    """A resource's identity (`aws_x.y.arn`), known only after apply: kept as its reference, as a
    plan's configuration links it and Checkov renders it. Anything computed from it is Unknown."""

    __slots__ = ()


def _after_apply(ref: str) -> Unknown:
    return Unknown(f"`{ref}` is not known before apply", f"`{ref}` 要到 apply 後才知道")


class ResourceReference:
    """`aws_x.y` (or `data.aws_x.y`, an instance `aws_x.y[0]`): its identity attributes are Links."""

    def __init__(self, prefix: str, names_left: int = 0, indexed: bool = False) -> None:
        self.prefix, self.names_left, self.indexed = prefix, names_left, indexed

    def get(self, key: Any, attribute: bool) -> Any:
        if self.names_left and attribute:
            return ResourceReference(f"{self.prefix}.{key}", self.names_left - 1)
        if attribute and isinstance(key, str) and re.fullmatch(IDENTITY, key) and not self.names_left:
            return Link(f"{self.prefix}.{key}")
        if not attribute and not self.indexed and not self.names_left and isinstance(key, (int, str)) \
                and not isinstance(key, (bool, Link)):
            return ResourceReference(f"{self.prefix}[{json.dumps(key)}]", indexed=True)
        raise _after_apply(f"{self.prefix}.{key}")


def _known(value: Any, links: bool = True) -> Any:
    """value itself, or Unknown when it is (or holds) a whole resource, or a Link: its text is not its
    value (``links=False``: a Link is kept, as a result may hold identities)."""
    if links and isinstance(value, Link):
        raise _after_apply(value)
    if isinstance(value, ResourceReference):
        raise _after_apply(value.prefix)
    if isinstance(value, (list, tuple)):
        for v in value:
            _known(v, links)
    elif isinstance(value, dict):
        for v in value.values():
            _known(v, links)
    return value


class HclSet(tuple):
    """A set: iterated in Terraform's order, each element its own key."""

    __slots__ = ()

    @staticmethod
    def of(items: Any) -> HclSet:
        unique: list[Any] = []
        for item in _known(list(items)):  # unknown elements may be equal: the set's size is unknown
            if item not in unique:
                unique.append(item)
        if all(isinstance(i, str) for i in unique):
            unique.sort()
        elif all(isinstance(i, (int, float)) and not isinstance(i, bool) for i in unique):
            unique.sort()
        return HclSet(unique)


class Scope(Protocol):
    def reference(self, root: str, attribute: str | None) -> Any:
        """The value of `root.attribute` (var.x, local.y) or of an iterator `root`; raises Unknown."""


_TOKEN = re.compile(r"""\s+|(?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(?P<ident>[A-Za-z_][A-Za-z0-9_-]*)
    |(?P<op>\.\.\.|==|!=|<=|>=|&&|\|\||=>|::|\[\*\]|\.\*|[-+*/%<>!?:.,()\[\]{}=])""", re.VERBOSE)
_CONSTANTS = {"true": True, "True": True, "false": False, "False": False, "null": None, "None": None}


def _string_end(text: str, start: int) -> int:
    """Index just after the closing quote of the string starting at text[start]: `"`, or `'` where
    bc-python-hcl2 writes a map or list inside an expression as Python does ({'a': '${b}'})."""
    quote, i = text[start], start + 1
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == quote:
            return i + 1
        if text.startswith("${", i):
            i = _interpolation_end(text, i + 2)
            continue
        i += 1
    raise Unknown("an unterminated string")


def _interpolation_end(text: str, start: int) -> int:
    """Index just after the `}` closing an interpolation whose body starts at start."""
    depth, i = 1, start
    while i < len(text):
        char = text[i]
        if char in "\"'":
            i = _string_end(text, i)
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise Unknown("an unterminated interpolation")


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "'": "'", "\\": "\\"}


def _template(text: str) -> tuple:
    """("template", parts): literal strings and parsed interpolations."""
    parts: list[Any] = []
    literal: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("${", i):
            end = _interpolation_end(text, i + 2)
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append(_Parser(text[i + 2: end - 1]).whole())
            i = end
        elif text.startswith("%{", i):
            raise Unknown("a template directive")
        elif text.startswith("$${", i) or text.startswith("%%{", i):
            literal.append(text[i + 1: i + 3])
            i += 3
        else:
            literal.append(text[i])
            i += 1
    if literal:
        parts.append("".join(literal))
    return ("template", tuple(parts))


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, Any]] = []
        i = 0
        while i < len(text):
            if text[i] in "\"'":
                end = _string_end(text, i)
                body = re.sub(r'\\(.)', lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), text[i + 1: end - 1])
                self.tokens.append(("str", _template(body)))
                i = end
                continue
            if text.startswith("<<", i):
                raise Unknown("a heredoc")
            match = _TOKEN.match(text, i)
            if not match:
                raise Unknown(f"`{text[i:i + 20]}` is not an expression brokerguard reads")
            i = match.end()
            if match.lastgroup == "num":
                self.tokens.append(("num", float(match.group()) if "." in match.group() or "e" in match.group().lower()
                                    else int(match.group())))
            elif match.lastgroup:
                self.tokens.append((match.lastgroup, match.group()))
        self.at = 0

    def whole(self) -> tuple:
        node = self.expr()
        if self.at != len(self.tokens):
            raise Unknown(f"`{self.tokens[self.at][1]}` is not an expression brokerguard reads")
        return node

    def peek(self, value: str | None = None, kind: str = "op") -> bool:
        if self.at >= len(self.tokens):
            return False
        tok = self.tokens[self.at]
        return tok[0] == kind and (value is None or tok[1] == value)

    def take(self, value: str | None = None, kind: str = "op") -> Any:
        if not self.peek(value, kind):
            got = self.tokens[self.at][1] if self.at < len(self.tokens) else "the end"
            raise Unknown(f"expected {value or kind}, found {got}")
        self.at += 1
        return self.tokens[self.at - 1][1]

    def expr(self) -> tuple:
        cond = self.binary(0)
        if self.peek("?"):
            self.take("?")
            yes = self.expr()
            self.take(":")
            return ("cond", cond, yes, self.expr())
        return cond

    LEVELS = (("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%"))

    def binary(self, level: int) -> tuple:
        if level == len(self.LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while any(self.peek(op) for op in self.LEVELS[level]):
            op = self.take()
            left = ("op", op, left, self.binary(level + 1))
        return left

    def unary(self) -> tuple:
        if self.peek("!") or self.peek("-"):
            return ("unary", self.take(), self.unary())
        return self.postfix(self.primary())

    def postfix(self, node: tuple) -> tuple:
        while True:
            if self.peek("."):
                self.take(".")
                if self.peek(kind="num"):
                    node = ("index", node, ("lit", self.take(kind="num")))
                else:
                    node = ("attr", node, self.take(kind="ident"))
            elif self.peek("["):
                self.take("[")
                node = ("index", node, self.expr())
                self.take("]")
            elif self.peek("[*]") or self.peek(".*"):
                raise Unknown("a splat expression")
            else:
                return node

    def primary(self) -> tuple:
        if self.peek(kind="num"):
            return ("lit", self.take(kind="num"))
        if self.peek(kind="str"):
            return self.take(kind="str")
        if self.peek(kind="ident"):
            name = self.take(kind="ident")
            if name in _CONSTANTS:
                return ("lit", _CONSTANTS[name])
            if self.peek("("):
                self.take("(")
                args = []
                while not self.peek(")"):
                    args.append(self.expr())
                    if self.peek("..."):
                        raise Unknown("an expanded argument (...)")
                    if not self.peek(")"):
                        self.take(",")
                self.take(")")
                return ("call", name, tuple(args))
            if self.peek("::"):
                raise Unknown("a provider function")
            return ("ref", name)
        if self.peek("("):
            self.take("(")
            node = self.expr()
            self.take(")")
            return node
        if self.peek("["):
            return self.sequence()
        if self.peek("{"):
            return self.mapping()
        raise Unknown(f"`{self.tokens[self.at][1] if self.at < len(self.tokens) else ''}` is not an expression brokerguard reads")

    def for_head(self) -> tuple[str | None, str, tuple]:
        self.take("for", "ident")
        first = self.take(kind="ident")
        second = None
        if self.peek(","):
            self.take(",")
            second = self.take(kind="ident")
        self.take("in", "ident")
        source = self.expr()
        self.take(":")
        return (first, second, source) if second else (None, first, source)  # (key name, value name, source)

    def sequence(self) -> tuple:
        self.take("[")
        if self.peek("for", "ident"):
            key, value, source = self.for_head()
            item = self.expr()
            cond = self.condition()
            self.take("]")
            return ("for_list", key, value, source, item, cond)
        items = []
        while not self.peek("]"):
            items.append(self.expr())
            if not self.peek("]"):
                self.take(",")
        self.take("]")
        return ("list", tuple(items))

    def condition(self) -> tuple | None:
        if self.peek("if", "ident"):
            self.take("if", "ident")
            return self.expr()
        return None

    def mapping(self) -> tuple:
        self.take("{")
        if self.peek("for", "ident"):
            key, value, source = self.for_head()
            key_expr = self.expr()
            self.take("=>")
            item = self.expr()
            if self.peek("..."):
                raise Unknown("a grouping for expression (...)")
            cond = self.condition()
            self.take("}")
            return ("for_map", key, value, source, key_expr, item, cond)
        items = []
        while not self.peek("}"):
            after = self.tokens[self.at + 1][1] if self.at + 1 < len(self.tokens) else None
            if self.peek(kind="ident") and after in ("=", ":"):  # a bare name is the key itself, not a reference
                key: tuple = ("lit", self.take(kind="ident"))
            else:
                key = self.expr()
            if not (self.peek("=") or self.peek(":")):
                raise Unknown("an object without = or :")
            self.take()
            items.append((key, self.expr()))
            if self.peek(","):
                self.take(",")
        self.take("}")
        return ("object", tuple(items))


def to_number(value: Any) -> int | float:
    """Terraform's conversion to a number (tonumber, arithmetic, an index); EvalError when it refuses."""
    _known(value)
    if isinstance(value, bool) or value is None:
        raise EvalError("not a number")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                raise EvalError("not a number") from None
    raise EvalError("not a number")


def to_string(value: Any) -> str:
    """Terraform's conversion to a string (tostring, templates, map keys); EvalError when it refuses."""
    _known(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, str):
        return value
    raise EvalError("not a string")


def to_bool(value: Any) -> bool:
    """Terraform's conversion to a bool (tobool, conditions, logic); EvalError when it refuses."""
    _known(value)
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise EvalError("not a bool")


def _equal(a: Any, b: Any) -> bool:
    _known(a), _known(b)
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    if isinstance(a, (int, float)) != isinstance(b, (int, float)):
        return False
    return bool(a == b)


def _items(value: Any) -> list[tuple[Any, Any]]:
    """(key, value) pairs as Terraform iterates a collection: list index, map key (sorted), set element."""
    if isinstance(value, ResourceReference):
        raise _after_apply(value.prefix)
    if isinstance(value, HclSet):
        return [(v, v) for v in value]
    if isinstance(value, (list, tuple)):
        return list(enumerate(value))
    if isinstance(value, dict):
        return sorted(value.items())
    raise EvalError("not a collection")


def _flatten(value: Any) -> list[Any]:
    out: list[Any] = []
    for item in value:
        out.extend(_flatten(item) if isinstance(item, (list, tuple)) else [item])
    return out


def _lookup(m: Any, key: Any, *default: Any) -> Any:
    if not isinstance(m, dict):
        raise EvalError("lookup on a non-map")
    if to_string(key) in m:
        return m[to_string(key)]
    if default:
        return default[0]
    raise EvalError("lookup: no such key")


def _coalesce(*values: Any) -> Any:
    for v in values:
        if v is not None and v != "":
            return v
    raise EvalError("coalesce: no non-null argument")


def _collection(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    raise EvalError("not a list")


def _merge(*maps: Any) -> dict:
    out: dict = {}
    for m in maps:
        if m is None:
            continue
        if not isinstance(m, dict):
            raise EvalError("merge of a non-map")
        out.update(m)
    return out


def _element(values: Any, index: Any) -> Any:
    items = _collection(values)
    if not items:
        raise EvalError("element of an empty list")
    return items[int(to_number(index)) % len(items)]


def _index_of(values: Any, i: Any, attribute: bool = False) -> Any:
    if isinstance(values, ResourceReference):
        return values.get(i, attribute)
    if isinstance(values, dict):
        key = to_string(i)
        if key not in values:
            raise EvalError(f"no key {key}")
        return values[key]
    if isinstance(values, (list, tuple)) and not isinstance(values, HclSet):
        n = to_number(i)
        if not float(n).is_integer() or not 0 <= int(n) < len(values):
            raise EvalError("index out of range")
        return values[int(n)]
    raise EvalError("index of a value that is not a list or map")


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "lookup": _lookup,
    "length": lambda v: len(v) if isinstance(v, (list, tuple, dict, str)) else to_number(None),
    "keys": lambda m: sorted(m) if isinstance(m, dict) else to_number(None),
    "values": lambda m: [m[k] for k in sorted(m)] if isinstance(m, dict) else to_number(None),
    "concat": lambda *lists: [x for li in lists for x in _collection(li)],
    "merge": _merge,
    "flatten": lambda v: _flatten(_collection(v)),
    "toset": lambda v: HclSet.of(_collection(v)),
    "tolist": lambda v: list(_collection(v)),
    "tomap": lambda v: dict(v) if isinstance(v, dict) else to_number(None),
    "tostring": lambda v: None if v is None else to_string(v),
    "tonumber": lambda v: None if v is None else to_number(v),
    "tobool": lambda v: None if v is None else to_bool(v),
    "contains": lambda li, v: any(_equal(x, v) for x in _collection(li)),
    "coalesce": _coalesce,
    "coalescelist": lambda *lists: next((li for li in lists if _collection(li)), []),
    "compact": lambda li: [x for x in _collection(li) if x not in (None, "")],
    "distinct": lambda li: [x for i, x in enumerate(_collection(li)) if x not in _collection(li)[:i]],
    "element": _element,
    "join": lambda sep, li: to_string(sep).join(to_string(x) for x in _collection(li)),
    "split": lambda sep, s: to_string(s).split(to_string(sep)),
    "lower": lambda s: to_string(s).lower(),
    "upper": lambda s: to_string(s).upper(),
    "zipmap": lambda ks, vs: dict(zip([to_string(k) for k in _collection(ks)], _collection(vs), strict=True)),
    "range": lambda *a: list(range(*(int(to_number(x)) for x in a))),
    "jsonencode": lambda v: json.dumps(_known(v), separators=(",", ":"), sort_keys=True),  # as Terraform writes it
}


def _reference_root(node: tuple) -> tuple | None:
    """The innermost ("ref", name) of an attribute/index chain."""
    while node[0] in ("attr", "index"):
        node = node[1]
    return node if node[0] == "ref" else None


class _Frame:
    """A scope plus the names a for expression binds."""

    def __init__(self, scope: Scope, bound: dict[str, Any]) -> None:
        self.scope, self.bound = scope, bound

    def reference(self, root: str, attribute: str | None) -> Any:
        if root in self.bound:
            value = self.bound[root]
            return value if attribute is None else _index_of(value, attribute)
        return self.scope.reference(root, attribute)


def _eval(node: tuple, scope: Scope) -> Any:
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "template":
        parts = node[1]
        if len(parts) == 1 and not isinstance(parts[0], str):
            return _eval(parts[0], scope)  # "${x}" keeps x's type
        out = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
            else:
                value = _eval(part, scope)
                if value is None:
                    raise EvalError("null in a template")
                out.append(to_string(value))
        return "".join(out)
    if kind in ("ref", "attr", "index"):
        root = _reference_root(node)
        if root is not None and node[0] == "attr" and node[1] == root:
            return scope.reference(root[1], node[2])
        if node[0] == "ref":
            return scope.reference(node[1], None)
        base = _eval(node[1], scope)
        key = node[2] if kind == "attr" else _eval(node[2], scope)
        return _index_of(base, key, attribute=kind == "attr")
    if kind == "list":
        return [_eval(n, scope) for n in node[1]]
    if kind == "object":
        return {to_string(_eval(k, scope)): _eval(v, scope) for k, v in node[1]}
    if kind == "cond":
        return _eval(node[2] if to_bool(_eval(node[1], scope)) else node[3], scope)
    if kind == "unary":
        value = _eval(node[2], scope)
        return not to_bool(value) if node[1] == "!" else -to_number(value)
    if kind == "op":
        return _operate(node[1], _eval(node[2], scope), _eval(node[3], scope))
    if kind in ("for_list", "for_map"):
        return _for(node, scope)
    if kind == "call":
        return _call(node[1], node[2], scope)
    raise Unknown(f"a {kind} expression")


def _operate(op: str, a: Any, b: Any) -> Any:
    if op == "==":
        return _equal(a, b)
    if op == "!=":
        return not _equal(a, b)
    if op in ("&&", "||"):
        return (to_bool(a) and to_bool(b)) if op == "&&" else (to_bool(a) or to_bool(b))
    x, y = to_number(a), to_number(b)
    if op in ("<", ">", "<=", ">="):
        return {"<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op]
    if op in ("/", "%") and y == 0:
        raise EvalError("division by zero")
    result = {"+": lambda: x + y, "-": lambda: x - y, "*": lambda: x * y, "/": lambda: x / y, "%": lambda: x % y}[op]()
    return int(result) if isinstance(result, float) and result.is_integer() and op != "/" else result


def _for(node: tuple, scope: Scope) -> Any:
    key_name, value_name, source = node[1], node[2], node[3]
    items = _items(_eval(source, scope))
    out_list: list[Any] = []
    out_map: dict[str, Any] = {}
    for key, value in items:
        frame = _Frame(scope, {value_name: value, **({key_name: key} if key_name else {})})
        cond = node[-1]
        if cond is not None and not to_bool(_eval(cond, frame)):
            continue
        if node[0] == "for_list":
            out_list.append(_eval(node[4], frame))
        else:
            k = to_string(_eval(node[4], frame))
            if k in out_map:
                raise EvalError("duplicate key in a for expression")
            out_map[k] = _eval(node[5], frame)
    return out_list if node[0] == "for_list" else out_map


def _call(name: str, args: tuple, scope: Scope) -> Any:
    if name in ("try", "can"):
        for arg in args:
            try:
                value = _eval(arg, scope)
            except EvalError:
                if name == "can":
                    return False
                continue
            return True if name == "can" else value
        if name == "can":
            return True
        raise EvalError("try: no argument could be evaluated")
    function = FUNCTIONS.get(name)
    if function is None:
        raise Unknown(f"the function {name}() is not evaluated by brokerguard", f"brokerguard 不求值函式 {name}()")
    values = [_eval(a, scope) for a in args]
    try:
        return function(*values)
    except (TypeError, ValueError, KeyError, IndexError):
        raise EvalError(f"{name}() cannot take these arguments") from None


@functools.lru_cache(maxsize=65536)
def parse(text: str) -> tuple:
    """A parsed template (text as bc-python-hcl2 writes an attribute: `${...}` inside, literal outside)."""
    return _template(text)


def evaluate(value: Any, scope: Scope) -> Any:
    """A value as parsed from HCL (strings are templates; lists and maps hold more of them) in scope.
    Raises Unknown when any part of it cannot be known, EvalError when Terraform would reject it."""
    if isinstance(value, str):
        result = _eval(parse(value), scope) if "${" in value else value
        _known(result, links=False)  # a whole resource is not a value; its identities are
        return result
    if isinstance(value, list):
        return [evaluate(v, scope) for v in value]
    if isinstance(value, dict):
        return {k: evaluate(v, scope) for k, v in value.items() if not k.startswith("__")}
    return value



def iterate(value: Any) -> list[tuple[Any, Any]]:
    """A for_each value's (key, value) pairs; EvalError when it is not a collection."""
    return _items(value)


def references(text: str, names: set[str]) -> bool:
    """Whether a template refers to any of names (as a reference root, `name.x` or `name[...]`)."""
    return any(re.search(rf"(?<![\w.\-]){re.escape(n)}\s*[.\[]", text) for n in names) if "${" in text else False
