"""Pulumi resources -> Terraform's plan JSON shape (``terraform show -json``), with the same
resource types, attribute names, block shapes and references that the Checkov checks and the stack
rules read for Terraform. One row per token in ``aws_mapping.json`` (see ``gen_mapping.py``)."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brokerguard.model import Resource
from brokerguard.providers.plan import plan_document, plan_entries, tags_of
from brokerguard.providers.pulumi.model import PROVIDER_PREFIX, SECRET_SIG, STACK_TYPE, UNKNOWN, PulumiStack

MAPPING_FILE = Path(__file__).resolve().parent / "aws_mapping.json"
UNMAPPED_PREFIX = "pulumi_unmapped"


@functools.cache
def mapping() -> dict[str, Any]:
    return json.loads(MAPPING_FILE.read_text(encoding="utf-8"))


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _tf_name(name: str) -> str:
    """A Terraform resource name: letters, digits, _ and -; not starting with a digit."""
    clean = re.sub(r"[^A-Za-z0-9_-]", "_", name)
    return clean if clean and not clean[0].isdigit() else f"r_{clean}"


class _Unknown:
    """A value Pulumi does not know (a preview's computed output) or will not show (a secret)."""

    def __init__(self, why: str) -> None:
        self.why = why


@dataclass
class Translation:
    plan: dict[str, Any]
    locations: dict[str, tuple[str, int, str]]  # address -> (file, line, urn)
    resources: list[Resource]
    unmapped: list[tuple[str, str]] = field(default_factory=list)  # (urn, token)
    unknown: dict[str, dict[str, str]] = field(default_factory=dict)  # address -> {tf attribute: why}
    not_inspectable: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _identity(res: Any) -> dict[str, str]:
    """Strings that stand for this resource when another one uses them: id, ARN, name."""
    out = {}
    for key, attr in (("id", "id"), ("arn", "arn"), ("name", "name")):
        val = res.outputs.get(key)
        if isinstance(val, str) and val and val != UNKNOWN:
            out.setdefault(val, attr)
    return out


def translate(stack: PulumiStack) -> Translation:
    table = mapping()
    custom = [r for r in stack.resources if r.custom and r.type != STACK_TYPE and not r.type.startswith(PROVIDER_PREFIX)]
    providers = {r.urn: r for r in stack.resources if r.type.startswith(PROVIDER_PREFIX)}
    addresses: dict[str, str] = {}
    taken: set[str] = set()
    unmapped = []
    for res in custom:
        row = table["resources"].get(res.type)
        tf_type = row["terraform_type"] if row else UNMAPPED_PREFIX
        base = f"{tf_type}.{_tf_name(res.name)}"
        address, n = base, 2
        while address in taken:
            address, n = f"{base}_{n}", n + 1
        taken.add(address)
        addresses[res.urn] = address
        if not row:
            unmapped.append((res.urn, res.type))
    # Which string means which resource: the value a program or state used for a reference.
    by_value: dict[str, tuple[str, str]] = {}
    ambiguous: set[str] = set()
    for res in custom:
        for val, attr in _identity(res).items():
            if val in by_value and by_value[val][0] != addresses[res.urn]:
                ambiguous.add(val)
            by_value[val] = (addresses[res.urn], attr)
    for val in ambiguous:
        by_value.pop(val, None)

    planned, configured, resources, unknown = [], [], [], {}
    locations = {}
    for res in custom:
        address = addresses[res.urn]
        row = table["resources"].get(res.type)
        tf_type, name = address.rsplit(".", 1)[0], address.rsplit(".", 1)[1]
        locations[address] = (res.file or stack.origin, res.line, res.urn)
        refs: set[str] = set()
        for targets in res.property_dependencies.values():
            refs.update(addresses[u] for u in targets if u in addresses and addresses[u] != address)
        if not row:
            resources.append(Resource(address=address, type=res.type, name=name, values={}, references=frozenset(refs),
                                      file=res.file or stack.origin, line=res.line, source_id=res.urn))
            continue
        gaps: dict[str, str] = {}
        ctx = _Context(table, by_value, address, refs, gaps, res.property_dependencies, addresses,
                       exact_deps=stack.kind == "program")
        values, expressions = ctx.object(res.inputs, row["properties"], row.get("renames", {}), top=True)
        _merge_default_tags(values, stack, res, providers)
        if "tags_all" in gaps and "tags" not in gaps and not isinstance(values.get("tags_all"), _Unknown):
            gaps.pop("tags_all")
        plain = _plain(values)
        if gaps:
            unknown[address] = gaps
        entry, block = plan_entries(address, tf_type, name, plain, expressions)
        planned.append(entry)
        configured.append(block)
        resources.append(Resource(address=address, type=tf_type, name=name, values=plain,
                                  references=frozenset(refs), file=res.file or stack.origin, line=res.line,
                                  tags=tags_of(plain), source_id=res.urn, region=_region(stack, res, providers),
                                  provider=res.provider.rsplit("::", 1)[0] if res.provider else "default"))
    return Translation(plan=plan_document(planned, configured), locations=locations, resources=resources,
                       unmapped=unmapped, unknown=unknown, not_inspectable=list(stack.not_inspectable),
                       notes=list(stack.notes))


def _region(stack: PulumiStack, res: Any, providers: dict) -> str | None:
    """The region of the resource's explicit provider, else the stack's aws:region; None when neither is literal."""
    if res.provider:
        prov = providers.get(res.provider.rsplit("::", 1)[0])
        if prov is not None:
            region = prov.inputs.get("region")
            return region if isinstance(region, str) and region else None
    region = stack.config.get("aws:region")
    return region if isinstance(region, str) and region else None


def _merge_default_tags(values: dict, stack: PulumiStack, res: Any, providers: dict) -> None:
    """tags_all as a plan shows it: the provider's default tags under the resource's own tags."""
    defaults = None
    if res.provider:
        prov = providers.get(res.provider.rsplit("::", 1)[0])
        if prov is not None:
            raw = prov.inputs.get("defaultTags") or {}
            if isinstance(raw, str):  # provider configuration is stored JSON-encoded in state
                try:
                    raw = json.loads(raw)
                except ValueError:
                    raw = {}
            defaults = raw.get("tags") if isinstance(raw, dict) else None
    if defaults is None:
        cfg = stack.config.get("aws:defaultTags")
        if isinstance(cfg, str):
            try:
                cfg = json.loads(cfg)
            except ValueError:
                cfg = None
        defaults = (cfg or {}).get("tags") if isinstance(cfg, dict) else None
    own = values.get("tags")
    if isinstance(own, _Unknown) or isinstance(values.get("tags_all"), _Unknown) and not defaults:
        return
    merged = dict(defaults or {})
    if isinstance(values.get("tags_all"), dict):
        merged.update(values["tags_all"])
    if isinstance(own, dict):
        merged.update(own)
    if merged:
        values["tags_all"] = merged


def _plain(value: Any) -> Any:
    """Unknown and secret values are left out, as ``terraform show -json`` leaves out unknowns."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if not isinstance(v, _Unknown)}
    if isinstance(value, list):
        return [_plain(v) for v in value if not isinstance(v, _Unknown)]
    return value


class _Context:
    def __init__(self, table: dict, by_value: dict, address: str, refs: set, gaps: dict, prop_deps: dict,
                 addresses: dict, exact_deps: bool = False) -> None:
        self.table, self.by_value, self.address, self.refs, self.gaps = table, by_value, address, refs, gaps
        self.prop_deps, self.addresses = prop_deps, addresses
        # A program run records every output that flowed into an input: a literal that merely equals
        # another resource's name (a tag value, say) is then no reference.
        self.exact_deps = exact_deps

    def object(self, obj: dict, props: dict, renames: dict, top: bool = False, path: str = "") -> tuple[dict, dict]:
        values: dict[str, Any] = {}
        exprs: dict[str, Any] = {}
        for key, raw in obj.items():
            if key in ("__defaults", "__meta"):
                continue
            spec = props.get(key) or {}
            tf = spec.get("tf") or renames.get(key) or snake(key)
            kind = spec.get("kind", "value")
            where = f"{path}{tf}"
            # A nested block only when the value is one: a property that takes a block or a string (a policy
            # document, say) given a JSON string keeps the string.
            nested = isinstance(raw, dict) or (isinstance(raw, list) and all(isinstance(i, dict) for i in raw))
            if kind in ("object", "list") and nested and not self._opaque(raw):
                sub_props = self.table["types"].get(spec.get("type", ""), {})
                items = raw if isinstance(raw, list) else [raw]
                vals, exs = [], []
                for item in items:
                    if isinstance(item, dict):
                        v, e = self.object(item, sub_props, {}, path=f"{where}.")
                        vals.append(v)
                        exs.append(e)
                values[tf], exprs[tf] = vals, exs
            else:
                deps = [self.addresses[u] for u in self.prop_deps.get(key, []) if u in self.addresses] if top else []
                values[tf], exprs[tf] = self.value(raw, where, deps)
            if top and key in self.prop_deps:
                extra = [self.addresses[u] for u in self.prop_deps[key]
                         if u in self.addresses and self.addresses[u] != self.address]
                if extra and isinstance(exprs.get(tf), dict) and not exprs[tf].get("references"):
                    exprs[tf] = {"references": sorted({f"{a}.id" for a in extra} | set(extra))}
        return values, exprs

    def _opaque(self, raw: Any) -> bool:
        return self._unknown_reason(raw) is not None

    @staticmethod
    def _unknown_reason(raw: Any) -> str | None:
        if raw == UNKNOWN:
            return "unknown until apply"
        if isinstance(raw, dict) and SECRET_SIG in raw:
            return "secret"
        return None

    def value(self, raw: Any, where: str, deps: list[str] | None = None) -> tuple[Any, dict]:
        why = self._unknown_reason(raw)
        if raw == UNKNOWN and deps and len(set(deps)) == 1 and deps[0] != self.address:
            # Unknown in a preview, but the property depends on exactly one resource: a reference.
            self.refs.add(deps[0])
            return f"{deps[0]}.id", {"references": [f"{deps[0]}.id", deps[0]]}
        if why:
            self.gaps[where] = why
            return _Unknown(why), {}
        if isinstance(raw, str) and raw in self.by_value:
            target, attr = self.by_value[raw]
            if target != self.address and (not self.exact_deps or target in self.refs):
                self.refs.add(target)
                return f"{target}.{attr}", {"references": [f"{target}.{attr}", target]}
        if isinstance(raw, list):
            out, refs = [], []
            for i, item in enumerate(raw):
                one = [sorted(set(deps))[i]] if deps and len(set(deps)) == len(raw) and item == UNKNOWN else None
                v, e = self.value(item, f"{where}[{i}]", one)
                out.append(v)
                refs += e.get("references", [])
            return out, ({"references": sorted(set(refs))} if refs else {"constant_value": _plain(out)})
        if isinstance(raw, dict):  # a map (tags, environment variables): keys stay as written
            out = {}
            for k, item in raw.items():
                out[k], _ = self.value(item, f"{where}.{k}")
            return out, {"constant_value": _plain(out)}
        return raw, {"constant_value": raw}
