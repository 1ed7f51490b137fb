"""Terraform plan JSON (`terraform show -json plan.out`), recognised by content.

Shape (Terraform's JSON output format, format_version 0.x/1.x): `planned_values.root_module`
holds the future resources (`resources`, nested `child_modules`), `resource_changes` what changes
and which values are known only after apply, `configuration.root_module` the expressions with
their `references` (and `module_calls` for modules). Deleted resources are not in planned_values.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from brokerguard.errors import InputError
from brokerguard.model import Resource
from brokerguard.policies.meta import Text
from brokerguard.providers.plan import PlanSource, display_path, tags_of

SUPPORTED_MAJOR_VERSIONS = ("0", "1")
AFTER_APPLY = Text("known only after apply", "要到 apply 後才知道")
_VERSION = re.compile(r"\d+\.\d+")
_INDEX = re.compile(r"\[[^\]]*\]")
_ADDRESS_KEY = re.compile(r'"address"\s*:\s*"([^"]+)"')
_MODULE_PATH = re.compile(r"(?:module\.[\w-]+(?:\[[^\]]*\])?\.)*")
_REF_TARGET = re.compile(r"^((?:module\.[\w-]+\.)*(?:data\.)?[a-z][a-z0-9_]*\.[\w-]+)")


def is_plan(doc: Any) -> bool:
    return isinstance(doc, dict) and "format_version" in doc and any(
        k in doc for k in ("planned_values", "resource_changes", "configuration"))


def _base(address: str) -> str:
    """An address without count/for_each indexes: the configuration block it comes from."""
    return _INDEX.sub("", address)


def _planned(module: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(module, dict):
        raise InputError(f"{where}: expected an object")
    resources = module.get("resources") or []
    children = module.get("child_modules") or []
    if not isinstance(resources, list) or not isinstance(children, list):
        raise InputError(f"{where}: resources and child_modules must be lists")
    out = []
    for i, res in enumerate(resources):
        if not isinstance(res, dict) or not all(isinstance(res.get(k), str) for k in ("address", "type", "name")):
            raise InputError(f"{where}.resources[{i}]: a resource needs address, type and name")
        if res.get("mode", "managed") == "managed":
            out.append(res)
    for i, child in enumerate(children):
        out += _planned(child, f"{where}.child_modules[{i}]")
    return out


def _through_variables(expressions: Any, variables: dict[str, list[str]]) -> Any:
    """Expressions of a module's block with `var.x` references replaced by what the module call
    passes as x (absolute addresses), so that links into and out of modules are followed."""
    if isinstance(expressions, dict):
        out = {}
        for key, val in expressions.items():
            if key == "references" and isinstance(val, list):
                refs: list[Any] = []
                for r in _flat(val):
                    name = r[4:].split(".")[0].split("[")[0] if isinstance(r, str) and r.startswith("var.") else None
                    refs += variables.get(name, [r]) if name is not None else [r]
                out[key] = refs
            else:
                out[key] = _through_variables(val, variables)
        return out
    if isinstance(expressions, list):
        return [_through_variables(v, variables) for v in expressions]
    return expressions


def _module_variables(call: dict, prefix: str, variables: dict[str, list[str]] | None) -> dict[str, list[str]]:
    """What a module call passes to each variable: absolute addresses of what it references."""
    passed = _through_variables(call.get("expressions") or {}, variables or {})
    return {var: [prefix + r if not r.startswith(("var.", "local.", "each.", "count.")) else r
                  for r in _flat(expr.get("references") or []) if isinstance(r, str)]
            for var, expr in passed.items() if isinstance(expr, dict) and expr.get("references")}


def linked_configuration(module: Any, prefix: str = "", variables: dict[str, list[str]] | None = None) -> Any:
    """The configuration with `var.x` references in modules replaced by what the calls pass, for
    Checkov, whose plan graph would not follow a link into a module through a variable."""
    if not isinstance(module, dict):
        return module
    out = dict(module)
    if variables:
        out["resources"] = [{**r, "expressions": _through_variables(r.get("expressions"), variables)}
                            if isinstance(r, dict) else r for r in module.get("resources") or []]
    calls = module.get("module_calls")
    if isinstance(calls, dict):
        out["module_calls"] = {name: {**call, "module": linked_configuration(
            call.get("module"), f"{prefix}module.{name}.", _module_variables(call, prefix, variables))}
            if isinstance(call, dict) else call for name, call in calls.items()}
    return out


def _configured(module: Any, prefix: str = "", variables: dict[str, list[str]] | None = None) -> dict[str, dict[str, Any]]:
    """Configuration blocks by absolute address (without indexes), modules included."""
    if not isinstance(module, dict):
        return {}
    out = {}
    for res in module.get("resources") or []:
        if isinstance(res, dict) and isinstance(res.get("address"), str):
            out[prefix + res["address"]] = {**res, "expressions": _through_variables(res.get("expressions"), variables)} \
                if variables else res
    for name, call in (module.get("module_calls") or {}).items():
        if isinstance(call, dict):
            out.update(_configured(call.get("module"), f"{prefix}module.{name}.", _module_variables(call, prefix, variables)))
    return out


def _references(expressions: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(expressions, dict):
        for key, val in expressions.items():
            if key == "references" and isinstance(val, list):
                found.update(m.group(1) for r in _flat(val) if isinstance(r, str) and (m := _REF_TARGET.match(_base(r))))
            else:
                found |= _references(val)
    elif isinstance(expressions, list):
        for val in expressions:
            found |= _references(val)
    return found


def _flat(items: list) -> list:
    return [x for item in items for x in (_flat(item) if isinstance(item, list) else [item])]


def _merged(blocks: list[dict]) -> dict[str, list]:
    merged: dict[str, list] = {}
    for block in blocks:
        for key, val in block.items():
            merged.setdefault(key, []).append(val)
    return merged


def _block_for(item: Any, expr: Any) -> Any:
    """The configuration block a planned element came from.

    The elements of a set come in any order in a plan, so a block is matched by the constant values
    it shares with the element (a priority, a name), not by position; when no block is the single
    best match, the element gets every block's expressions (the union of their references).
    """
    if isinstance(expr, dict):
        return expr
    blocks = [b for b in _flat(expr) if isinstance(b, dict)] if isinstance(expr, list) else []
    if len(blocks) <= 1:
        return blocks[0] if blocks else None

    def shared(block: dict) -> int:
        return sum(1 for k, e in block.items() if isinstance(item, dict) and isinstance(e, dict)
                   and "constant_value" in e and item.get(k) == e["constant_value"])

    scores = [shared(b) for b in blocks]
    best = max(scores)
    if best > 0 and scores.count(best) == 1:
        return blocks[scores.index(best)]
    return _merged(blocks)


_IDENTITY = re.compile(r"(?:id|arn|name|bucket|domain|identifier|\w+_(?:id|arn|name))")


def _links_only(expr: Any) -> bool:
    """Every reference of an expression names a resource by its identity (`aws_subnet.a.id`, `.arn`,
    `.name`): the value is a link to that resource, which the checks follow like HCL's reference text."""
    refs = [r for r in _flat(expr.get("references") or []) if isinstance(r, str)] if isinstance(expr, dict) else []
    if not refs:
        return False
    for ref in refs:
        target = _REF_TARGET.match(_base(ref))
        if not target or target.group(1).split(".")[-2].startswith(("var", "local", "each", "count", "path")):
            return False
        rest = _base(ref)[target.end():]
        if rest and not _IDENTITY.fullmatch(rest.lstrip(".").split(".")[0]):
            return False
        if rest.count(".") > 1:
            return False
    return True


def _ref_text(refs: list[str]) -> str:
    """How HCL shows a reference (``aws_subnet.a.id``); several when an expression names several."""
    return " ".join(f"{r}.id" for r in refs)


def _fill(value: Any, flag: Any, expr: Any) -> tuple[Any, bool]:
    """One value with what apply decides filled in from its expression; True when it cannot be known.

    ``flag`` is the value's part of ``after_unknown``; ``expr`` its configuration expression: either
    ``{"references": [...], ...}`` for an attribute, or the blocks' own expressions.
    """
    attribute_level = isinstance(expr, dict) and ("references" in expr or "constant_value" in expr)
    if flag is True:
        refs = sorted(_references(expr))
        if refs and _links_only(expr):
            return _ref_text(refs), False
        # A value computed from something else (`aws_x.y.enabled`, a variable's attribute, a condition)
        # is not the reference: judging its text would read an unknown as known.
        return value, expr is not None
    if isinstance(flag, list):
        refs = sorted(_references(expr)) if attribute_level else []
        # [] is a known empty list only when after_unknown says so element by element
        if value in (None, []) and refs and flag and all(f is True for f in flag) and _links_only(expr):
            return [_ref_text([r]) for r in refs], False
        if isinstance(value, list):
            out, unknown = list(value), False
            for i, f in enumerate(flag):
                sub_expr = expr if attribute_level else _block_for(out[i] if i < len(out) else None, expr)
                item, gap = _fill(out[i] if i < len(out) else None, f, sub_expr)
                out[i:i + 1] = [item]
                unknown |= gap
            return out, unknown
    if isinstance(flag, dict) and (value is None or isinstance(value, dict)):
        out_d, unknown = dict(value or {}), False
        for key, f in flag.items():
            block = _block_for(value, expr)
            sub_expr = expr if attribute_level else block.get(key) if isinstance(block, dict) else None
            out_d[key], gap = _fill(out_d.get(key), f, sub_expr)
            unknown |= gap
        return out_d, unknown
    return value, False


def _after_apply(doc: dict, configured: dict[str, dict]) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, str]]]:
    """What a plan leaves for apply to decide, per address.

    An attribute set from another resource (``subnet_id = aws_subnet.a.id``) gets that reference as
    its value, as in HCL, so the stack rules can follow it. An attribute set by an expression with no
    reference that is still unknown cannot be judged. An attribute the configuration does not set is
    the provider's default, as when reading HCL.
    """
    planned = {}
    gaps: dict[str, dict[str, str]] = {}
    for change in doc.get("resource_changes") or []:
        if not isinstance(change, dict) or not isinstance(change.get("change"), dict):
            continue
        unknown, after = change["change"].get("after_unknown"), change["change"].get("after")
        if not isinstance(unknown, dict):
            continue
        address = str(change.get("address", ""))
        expressions = configured.get(_base(address), {}).get("expressions") or {}
        values = dict(after) if isinstance(after, dict) else {}
        for attr, flag in unknown.items():
            if attr not in expressions:
                continue
            values[attr], gap = _fill(values.get(attr), flag, expressions[attr])
            if gap:
                gaps.setdefault(address, {})[attr] = AFTER_APPLY
        planned[address] = values
    return planned, gaps


def _check_integrity(path: Path, doc: dict, planned: list[dict[str, Any]]) -> None:
    """A plan that Terraform did not finish, or whose parts disagree, does not show what apply would
    create: judging it would pass resources it leaves out (exit 2, never a partial verdict)."""
    if doc.get("errored") is True:
        raise InputError(f"{path}: the plan errored (errored: true): Terraform stopped before planning every resource",
                         hint="fix the errors `terraform plan` reports and plan again")
    if doc.get("complete") is False:
        raise InputError(f"{path}: an incomplete plan (complete: false, e.g. made with -target or with deferred "
                         "changes) leaves resources out", hint="plan the whole configuration, without -target")
    addresses = {r["address"] for r in planned}
    for change in doc.get("resource_changes") or []:
        if not isinstance(change, dict) or change.get("mode", "managed") != "managed":
            continue
        actions = (change.get("change") or {}).get("actions") if isinstance(change.get("change"), dict) else None
        if isinstance(actions, list) and "create" in actions and change.get("address") not in addresses:
            raise InputError(f"{path}: resource_changes creates {change.get('address')}, which planned_values does "
                             "not hold: an inconsistent plan", hint="write it again with `terraform show -json plan.out`")
    _check_module_calls(path, _configuration_root(doc), addresses | _changed(doc))


def _configuration_root(doc: dict) -> dict:
    configuration = doc.get("configuration")
    root = configuration.get("root_module") if isinstance(configuration, dict) else None
    return root if isinstance(root, dict) else {}


def _changed(doc: dict) -> set[str]:
    return {str(c.get("address")) for c in doc.get("resource_changes") or [] if isinstance(c, dict)}


def _may_be_empty(block: dict) -> bool:
    """A block whose count or for_each may be 0 or empty. Terraform leaves out of the plan JSON a count
    or for_each written without references (`for_each = toset([])`), but not the references to
    `count.` / `each.` inside the block, which give it away."""
    for key in ("count_expression", "for_each_expression"):
        if key in block:
            expr = block[key]
            return not (expr.get("constant_value") if isinstance(expr, dict) else None)
    return any(ref.split(".")[0] in ("count", "each") for ref in _references(block.get("expressions")))


def _creates(module: Any) -> bool:
    """The module creates a resource whatever its count/for_each arguments leave out."""
    if not isinstance(module, dict):
        return False
    if any(isinstance(r, dict) and r.get("mode", "managed") == "managed" and not _may_be_empty(r)
           for r in module.get("resources") or []):
        return True
    calls = module.get("module_calls")
    return isinstance(calls, dict) and any(isinstance(c, dict) and not _may_be_empty(c) and _creates(c.get("module"))
                                           for c in calls.values())


def _check_module_calls(path: Path, module: dict, addresses: set[str], prefix: str = "") -> None:
    """A module call Terraform cannot have left empty (no count or for_each, resources of its own) but
    of which the plan holds nothing: its resources would go unjudged, an exposure among them."""
    calls = module.get("module_calls")
    for name, call in calls.items() if isinstance(calls, dict) else []:
        if not isinstance(call, dict) or _may_be_empty(call):
            continue
        address = f"{prefix}module.{name}"
        if _creates(call.get("module")) and not any(a.startswith((address + ".", address + "[")) for a in addresses):
            raise InputError(f"{path}: module call {address} creates resources in the configuration, but "
                             "planned_values and resource_changes hold none of them: a plan that lost a module",
                             hint="write the plan again with `terraform show -json plan.out`; a count or for_each "
                                  "written without references (`toset([])`) is left out of the plan JSON, so write "
                                  "it as a constant (`for_each = {}`) or scan the Terraform directory instead")
        if not {"count_expression", "for_each_expression"} & set(call):  # instances' keys: not followed
            _check_module_calls(path, call.get("module") if isinstance(call.get("module"), dict) else {}, addresses,
                                address + ".")


def read_plan(path: Path, doc: dict, text: str) -> PlanSource:
    version = doc.get("format_version")
    # Terraform writes a "major.minor" string; anything else is not a plan this reader knows.
    if not isinstance(version, str) or not _VERSION.fullmatch(version) or version.split(".")[0] not in SUPPORTED_MAJOR_VERSIONS:
        raise InputError(f"{path}: Terraform plan format_version {version!r} is not supported (expected 0.x or 1.x)")
    planned_values = doc.get("planned_values")
    if not isinstance(planned_values, dict):
        raise InputError(f"{path}: a Terraform plan needs planned_values (write it with `terraform show -json plan.out`)")
    planned = _planned(planned_values.get("root_module") or {}, f"{path}: planned_values.root_module")
    configuration = doc.get("configuration") if isinstance(doc.get("configuration"), dict) else {}
    _check_integrity(path, doc, planned)
    configured = _configured(configuration.get("root_module"))
    display = display_path(path)
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        for address in _ADDRESS_KEY.findall(line):
            lines.setdefault(address, number)  # planned_values come first in Terraform's output
    referenced, unknown = _after_apply(doc, configured)
    regions = _provider_regions(configuration)
    by_base: dict[str, list[str]] = {}
    for res in planned:
        by_base.setdefault(_base(res["address"]), []).append(res["address"])
    resources, locations = [], {}
    for res in planned:
        address = res["address"]
        module_prefix = _module_prefix(address)
        refs = set()
        for target in _references((configured.get(_base(address)) or {}).get("expressions")):
            for candidate in (module_prefix + target, target):
                if candidate in by_base:
                    refs.update(a for a in by_base[candidate] if a != address)
                    break
        values = res.get("values") if isinstance(res.get("values"), dict) else {}
        values = {**values, **referenced.get(address, {})}
        line = lines.get(address, 1)
        locations[address] = (display, line, "")
        provider_key = (configured.get(_base(address)) or {}).get("provider_config_key")
        resources.append(Resource(address=address, type=res["type"], name=res["name"], values=values,
                                  references=frozenset(refs), file=display, line=line, tags=tags_of(values),
                                  region=regions.get(provider_key), provider=provider_key))
    if (configuration.get("root_module") or {}).get("module_calls"):
        # Checkov reads a copy whose module blocks name what their variables were passed.
        linked = {**configuration, "root_module": linked_configuration(configuration["root_module"])}
        return PlanSource(root=path, kind="terraform-plan", plan={**doc, "configuration": linked},
                          resources=tuple(resources), locations=locations, unknown=unknown)
    return PlanSource(root=path, kind="terraform-plan", plan=doc, resources=tuple(resources), locations=locations,
                      unknown=unknown, plan_file=path)


def _provider_regions(configuration: dict) -> dict[str, str]:
    """provider_config key (aws, aws.tokyo) -> its region, when the configuration writes it as a constant."""
    regions = {}
    for key, conf in (configuration.get("provider_config") or {}).items():
        expr = ((conf or {}).get("expressions") or {}).get("region") if isinstance(conf, dict) else None
        value = expr.get("constant_value") if isinstance(expr, dict) else None
        if isinstance(value, str) and value:
            regions[key] = value
    return regions


def _module_prefix(address: str) -> str:
    """`module.a[0].module.b.` for `module.a[0].module.b.aws_x.y`; empty at the root."""
    return _base(_MODULE_PATH.match(address).group(0))
