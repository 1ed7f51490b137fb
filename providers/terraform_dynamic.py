"""`dynamic` blocks expanded as Terraform expands them, over collections brokerguard knows for certain.

Checkov's own expansion was measured and is not used (Checkov is given no dynamic blocks): it ignores
`iterator`, keeps one copy of the content when for_each is empty or unknown, and renders for
expressions, flatten() and toset() into wrong collections (flatten([var.a, var.unset]) became the
characters of the text). Here the for_each of each dynamic block is evaluated from what was written
(terraform_expressions), with the variables a module gets as Terraform gives them (root values,
defaults, the module call's arguments, converted to the declared type) and its locals; each element
gives one block, its content evaluated with the iterator (`name.key`, `name.value`, or the name
`iterator =` gives). Checkov is given the files without the dynamic blocks of resources
(terraform_values), so all their content is evaluated here.

A for_each that cannot be known creates no block, and the attribute it writes is unknown: a protection
written that way does not count, an exposure that may be created is "cannot judge", never a pass.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from brokerguard import compat_checkov
from brokerguard.errors import InputError
from brokerguard.policies.meta import Text
from brokerguard.providers import terraform_types as types
from brokerguard.providers.terraform_expressions import (
    EvalError,
    HclSet,
    Link,
    ResourceReference,
    Unknown,
    evaluate,
    iterate,
    references,
    to_bool,
    to_number,
    to_string,
)
from brokerguard.providers.terraform_values import ParsedModules, has_dynamic, unresolved, unresolved_parts

# Top-level attribute -> why its value is not known, or None: expanded, every part known (the other
# checks of what was written do not apply to it: its blocks are no longer the ones written).
Gaps = dict[str, Text | None]


def _unwrap(value: Any) -> Any:
    """bc-python-hcl2 writes every attribute as a one-element list."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _plain(value: Any) -> Any:
    """A value as Checkov's definitions hold one: lists, not sets or tuples."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class _NoScope:
    """Where nothing is known: a variable default or a root value (they hold no references)."""

    def reference(self, root: str, attribute: str | None) -> Any:
        raise Unknown(f"`{root}.{attribute}` in a literal", f"常值中出現 `{root}.{attribute}`")


class ModuleScope:
    """var and local of one module instance."""

    def __init__(self, parsed: ParsedModules, directory: str, values: dict[str, Any] | None,
                 call: tuple[Any, dict] | None) -> None:
        self.parsed, self.directory = parsed, directory
        self.values = values  # a root module's values from outside (tfvars, --var...), else None
        # A called module: (the scope its arguments are evaluated in, with the call's each / count, the module block).
        self.call = call
        self._locals: dict[str, Any] = {}
        self._evaluating: set[str] = set()

    names: frozenset[str] = frozenset()  # iterators in scope: none at module level

    def reference(self, root: str, attribute: str | None) -> Any:
        if root == "var" and attribute:
            return self.variable(attribute)
        if root == "local" and attribute:
            return self.local(attribute)
        if attribute and root.startswith("aws_"):
            return ResourceReference(f"{root}.{attribute}")
        if attribute and root == "data":
            return ResourceReference(f"data.{attribute}", names_left=1)
        ref = f"{root}.{attribute}" if attribute else root
        raise Unknown(f"`{ref}` is not known before apply", f"`{ref}` 要到 apply 後才知道")

    def variable(self, name: str) -> Any:
        block = self.parsed.variables.get(self.directory, {}).get(name)
        if block is None:
            raise EvalError(f"no variable {name}")
        if self.call is not None and name in self.call[1]:
            parent, conf = self.call
            value = evaluate(_unwrap(conf[name]), parent)
        elif self.values is not None and name in self.values:
            value = self.values[name]
        elif "default" in block:
            value = evaluate(_unwrap(block["default"]), _NoScope())
        else:
            raise Unknown(f"`var.{name}` has no value", f"`var.{name}` 沒有值")
        written = self.parsed.types.get(self.directory, {}).get(name)
        return convert(value, written) if written else value

    def local(self, name: str) -> Any:
        if name in self._locals:
            return self._locals[name]
        expression = self.parsed.locals.get(self.directory, {}).get(name)
        if expression is None or name in self._evaluating:
            raise EvalError(f"local.{name}")
        self._evaluating.add(name)
        try:
            value = evaluate(_unwrap(expression), self)
        finally:
            self._evaluating.discard(name)
        self._locals[name] = value
        return value


class _Bound:
    """Names bound over a scope: a dynamic block's iterator (`key`, `value`), or `each` / `count` of a
    resource or module instance."""

    def __init__(self, scope: Any, bound: dict[str, dict[str, Any]], iterator: str | None = None) -> None:
        self.scope, self.bound = scope, bound
        self.names = scope.names | ({iterator} if iterator else set())  # the iterators in scope

    def reference(self, root: str, attribute: str | None) -> Any:
        if root not in self.bound:
            return self.scope.reference(root, attribute)
        if attribute is None:
            return self.bound[root]
        if attribute not in self.bound[root]:
            raise EvalError(f"{root}.{attribute}")
        return self.bound[root][attribute]


def _sets(value: Any, t: types.Type) -> Any:
    """The parts of a converted value that are sets, as sets: a set's elements are their own keys."""
    if t.kind == "set" and isinstance(value, list):
        return HclSet.of(_sets(v, t.element) for v in value) if t.element else HclSet.of(value)
    if t.kind in ("list", "tuple") and isinstance(value, list):
        element_types = t.elements or (t.element,) * len(value)
        return [_sets(v, e) if e else v for v, e in zip(value, element_types, strict=False)]
    if t.kind == "map" and isinstance(value, dict) and t.element:
        return {k: _sets(v, t.element) for k, v in value.items()}
    if t.kind == "object" and isinstance(value, dict):
        typed = {name: atype for name, atype, _, _ in t.attributes}
        return {k: _sets(v, typed[k]) if k in typed else v for k, v in value.items()}
    return value


def convert(value: Any, type_text: str) -> Any:
    """value converted to the declared type as Terraform converts a variable's value (terraform_types:
    optional() attributes filled, others dropped); Unknown when brokerguard cannot, EvalError when
    Terraform would refuse the value."""
    try:
        t = types.parse_type(type_text)
        return _sets(types.convert(value, t, "a variable"), t)
    except types.UnknownValueError as exc:
        raise Unknown(f"a variable value or type brokerguard does not read ({exc})", "brokerguard 不讀的變數值或型別") from None
    except InputError:
        raise EvalError("Terraform refuses this value for the variable's type") from None


# ---- expansion -------------------------------------------------------------------------------------

def _why(expression: Any, reason: Text) -> Text:
    text = str(expression)[:80]
    return Text(f"a dynamic block over `{text}`, which is not known ({reason})",
                f"dynamic 區塊的 for_each `{text}` 無法得知（{reason.zh}）")


def _body(parsed: dict, rendered: Any, scope: Any, gaps: list[Text]) -> dict:
    """One block's body: the parsed body with its dynamic blocks expanded."""
    out: dict[str, Any] = {}
    for key, value in parsed.items():
        if key == "dynamic" or key.startswith("__"):
            continue
        has = isinstance(rendered, dict) and key in rendered
        out[key] = _value(value, rendered[key] if has else None, has, scope, gaps)
    for name, blocks, why in _dynamic_blocks(parsed, rendered, scope):
        if blocks:  # none: Terraform writes no such block
            out.setdefault(name, []).extend(blocks)
        gaps += why
    return out


def _dynamic_blocks(parsed: dict, rendered: Any, scope: Any) -> list[tuple[str, list[dict], list[Text]]]:
    """(block name, the blocks it makes, why any part is unknown) for each dynamic block of a body."""
    out = []
    written = rendered.get("dynamic") if isinstance(rendered, dict) else None
    entries = parsed.get("dynamic") or []
    for i, entry in enumerate(entries if isinstance(entries, list) else [entries]):
        for name, spec in entry.items() if isinstance(entry, dict) else []:
            counterpart = written[i].get(name) if isinstance(written, list) and len(written) == len(entries) \
                and isinstance(written[i], dict) else None
            gaps: list[Text] = []
            out.append((name, _expand(name, spec, counterpart, scope, gaps), gaps))
    return out


def _expand(name: str, spec: dict, rendered: Any, scope: Any, gaps: list[Text]) -> list[dict]:
    for_each = _unwrap(spec.get("for_each"))
    try:
        items = iterate(evaluate(for_each, scope))
    except Unknown as exc:
        gaps.append(_why(for_each, exc.reason))
        return []
    except EvalError:
        gaps.append(_why(for_each, Text("Terraform would reject it", "Terraform 會拒絕此運算式")))
        return []
    iterator = str(_unwrap(spec.get("iterator")) or name).removeprefix("${").removesuffix("}")
    content = _unwrap(spec.get("content")) or {}
    written = _unwrap(rendered.get("content")) if isinstance(rendered, dict) else None
    return [_body(content if isinstance(content, dict) else {}, written,
                  _Bound(scope, {iterator: {"key": k, "value": v}}, iterator), gaps) for k, v in items]


def _evaluated(parsed: str, scope: Any, gaps: list[Text]) -> Any:
    """An expression of dynamic content, evaluated here; unknown, it stays as written (its text is no value)."""
    try:
        return _plain(evaluate(parsed, scope))  # every part known: the scope holds only values Terraform would have
    except Unknown as exc:
        gaps.append(exc.reason)
    except EvalError:
        gaps.append(Text(f"`{parsed[:80]}`: Terraform would reject it", f"`{parsed[:80]}`：Terraform 會拒絕此運算式"))
    return parsed


def _value(parsed: Any, rendered: Any, has: bool, scope: Any, gaps: list[Text]) -> Any:
    if isinstance(parsed, str):
        if scope.names and references(parsed, set(scope.names)):
            return _evaluated(parsed, scope, gaps)
        if "${" not in parsed:
            return parsed
        if has:  # rendered by Checkov (a block written beside the dynamic ones)
            if (why := unresolved(rendered)) is not None:
                gaps.append(why)
                return parsed
            return rendered
        return _evaluated(parsed, scope, gaps)
    if isinstance(parsed, dict):
        return _body(parsed, rendered, scope, gaps)
    if isinstance(parsed, list):
        pairs = rendered if isinstance(rendered, list) and len(rendered) == len(parsed) else None
        return [_value(p, pairs[i] if pairs else None, pairs is not None, scope, gaps) for i, p in enumerate(parsed)]
    return parsed


def expand_resource(conf: dict, parsed: dict, scope: Any) -> Gaps:
    """Expand, in place, the dynamic blocks of one rendered resource; the attributes left unknown."""
    gaps: Gaps = {}
    for name, blocks, found in _dynamic_blocks(parsed, conf, scope):
        existing = conf.get(name) if isinstance(conf.get(name), list) else []
        if existing or blocks:
            conf[name] = existing + blocks
        if name in parsed and (why := unresolved_parts(parsed[name], existing)) is not None:
            found.append(why)  # the blocks written beside the dynamic one
        gaps[name] = found[0] if found else gaps.get(name)
    conf.pop("dynamic", None)
    for attr, value in parsed.items():
        if attr != "dynamic" and not attr.startswith("__") and has_dynamic(value):
            found: list[Text] = []
            conf[attr] = _value(value, conf.get(attr), attr in conf, scope, found)
            gaps[attr] = found[0] if found else None
    return gaps


class Expander:
    """Expands every resource of a Checkov run's definitions that was written with dynamic blocks."""

    def __init__(self, parsed: ParsedModules, root_values: dict[str, dict[str, Any]]) -> None:
        self.parsed = parsed
        self.root_values = root_values  # root module directory (as parsed) -> its values from outside
        self._scopes: dict[Any, ModuleScope] = {}

    def scope(self, directory: str, call: compat_checkov.ModuleCall | None) -> ModuleScope:
        key = (directory, call)
        if key not in self._scopes:
            if call is None:
                self._scopes[key] = ModuleScope(self.parsed, directory, self.root_values.get(directory, {}), None)
            else:
                parent = self.scope(str(Path(call.file).parent), call.parent)
                block = self.parsed.modules.get(call.file, {}).get(call.name, {})
                self._scopes[key] = ModuleScope(self.parsed, directory, None, (_instance(block, call.index, parent), block))
        return self._scopes[key]

    def expand(self, definitions: dict) -> dict[tuple[str, str], Gaps]:
        """(file, address) -> the attributes expanded, with why each is unknown (None: known)."""
        out: dict[tuple[str, str], Gaps] = {}
        for key, definition in definitions.items():
            file = str(Path(key.file_path).resolve())
            for block in definition.get("resource", []) if isinstance(definition, dict) else []:
                for rtype, named in block.items():
                    for name, conf in named.items():
                        parsed = self.parsed.resources.get((file, rtype, name.split("[")[0]))
                        if parsed is None or not isinstance(conf, dict):
                            continue
                        scope = self.scope(str(Path(file).parent), compat_checkov.module_call(key))
                        address = conf.get("__address__", f"{rtype}.{name}")
                        out[(file, address)] = expand_resource(conf, parsed, _resource_instance(parsed, address, scope))
        return out


def written_existence(written: dict[str, str], scope: Any) -> str | None:
    """What brokerguard's own evaluation of a block's count or for_each as written (parsed, as JSON)
    says, with Terraform's types (`true == "true"` is false, `"0"` converts to 0): "no" when it
    creates nothing, "yes" when it creates something, None when it cannot tell."""
    for meta in ("count", "for_each"):
        if meta not in written:
            continue
        try:
            value = evaluate(_unwrap(json.loads(written[meta])), scope)
            if meta == "count":  # converted as Terraform converts it (a bool or null it refuses)
                return "no" if to_number(value) == 0 else "yes"
            return "no" if not iterate(value) else "yes"
        except (Unknown, EvalError, TypeError, ValueError):
            return None
    return None


# Where Checkov's rendering was seen to part from Terraform's types: comparisons of values of other
# types (`true == "true"` is false), and what conditionals and logic make of them.
_DECIDING = re.compile(r"==|!=|&&|\|\||\?")


def _conflict(ours: Any, theirs: Any) -> bool:
    """Whether Checkov's rendered value is certainly not the value Terraform gives: Checkov's value
    converted as Terraform converts it to the type of brokerguard's (strict on scalars, silent where
    the shapes cannot be compared; a resource's identity is not compared)."""
    if isinstance(theirs, list) and len(theirs) == 1 and not isinstance(ours, (list, tuple)):
        theirs = theirs[0]  # Checkov's one-element list around an attribute
    if isinstance(ours, Link) or ours is None:
        return False
    try:
        if isinstance(ours, bool):
            return to_bool(theirs) is not ours
        if isinstance(ours, (int, float)):
            return float(to_number(theirs)) != float(ours)
        if isinstance(ours, str):
            return to_string(theirs) != ours
    except (EvalError, Unknown):  # Checkov's value does not even convert to that type
        return True
    if isinstance(ours, (list, tuple)):
        if isinstance(theirs, list) and len(theirs) == 1 and isinstance(theirs[0], list):
            theirs = theirs[0]
        if not isinstance(theirs, list):
            return False
        if isinstance(ours, HclSet):  # a set: Checkov's order need not be Terraform's
            mine, found = [_element_text(v) for v in ours], [_element_text(v) for v in theirs]
            if None in mine or None in found:
                return len(ours) != len(theirs)
            return sorted(mine) != sorted(found)  # type: ignore[type-var]
        return len(ours) != len(theirs) or any(_conflict(o, t) for o, t in zip(ours, theirs, strict=True))
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return any(_conflict(v, theirs[k]) for k, v in ours.items() if k in theirs)
    return False


def _element_text(value: Any) -> str | None:
    """A set element as Terraform writes it as a string, None when it is not a known scalar."""
    if isinstance(value, Link) or not isinstance(value, (bool, int, float, str)):
        return None
    return to_string(value)


def disagreements(conf: dict, written: dict[str, str], address: str, scope: ModuleScope) -> dict[str, Text]:
    """Attributes of the resource instance at address written with a comparison, a conditional or logic
    (as parsed, JSON) whose value Checkov rendered otherwise than brokerguard's own evaluation with
    Terraform's types gives: neither is taken, the attribute cannot be judged. Attributes brokerguard
    cannot evaluate are left as they are."""
    out = {}
    instance = None  # the instance's scope (each / count bound), made when an attribute needs it
    for attr, text in written.items():
        if attr in ("count", "for_each", "dynamic") or attr not in conf or not _DECIDING.search(text):
            continue
        expression = _unwrap(json.loads(text))
        if instance is None:
            meta = {k: json.loads(written[k]) for k in ("count", "for_each") if k in written}
            instance = _resource_instance(meta, address, scope)
        try:
            ours = evaluate(expression, instance)
        except (Unknown, EvalError, TypeError, ValueError):
            continue
        if _conflict(ours, conf[attr]):
            shown = str(expression)[:80]
            out[attr] = Text(f"`{shown}`: Checkov renders it otherwise than Terraform's types evaluate it",
                             f"`{shown}`：Checkov 的求值與 Terraform 依型別求值的結果不同")
    return out


def _instance(block: dict, index: Any, scope: Any) -> Any:
    """scope with `each` / `count` of one instance of a module call or resource bound, when its
    for_each or count is known (else they stay unknown)."""
    if index is None:
        return scope
    if "count" in block and isinstance(index, int):
        return _Bound(scope, {"count": {"index": index}})
    if "for_each" in block:
        try:
            items = {str(k): v for k, v in iterate(evaluate(_unwrap(block["for_each"]), scope))}
        except (Unknown, EvalError):
            return scope
        if str(index) in items:
            return _Bound(scope, {"each": {"key": str(index), "value": items[str(index)]}})
    return scope


def _resource_instance(parsed: dict, address: str, scope: ModuleScope) -> Any:
    """The scope of one instance of a resource: each.key/each.value or count.index from its address."""
    if not address.endswith("]") or "[" not in address:
        return scope
    index_text = address[address.rindex("[") + 1: -1]
    return _instance(parsed, int(index_text) if index_text.isdigit() else index_text.strip('"'), scope)
