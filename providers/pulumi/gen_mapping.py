"""Generate aws_mapping.json: Pulumi token -> Terraform type, and every property's Terraform name and shape.

Sources, both real: ``bridge_renames.json`` (transcribed from pulumi-aws's bridge-metadata.json, see its
``_source``) for the Terraform type and the property renames, and the installed ``pulumi_aws`` SDK for
the wire (camelCase) property names and whether a property is a single nested object (Terraform: a
one-element list), a list of nested objects (Terraform: repeated blocks) or a plain value.

    .venv/bin/python providers/pulumi/gen_mapping.py   # rewrites providers/pulumi/aws_mapping.json
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
_ARGS_REF = re.compile(r"ForwardRef\('(\w+)Args'\)")


def snake(name: str) -> str:
    """The bridge's default rule: camelCase wire name -> snake_case Terraform name."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _props(args_cls: type) -> dict[str, tuple[str, str | None, bool]]:
    """wire name -> (python name, nested Args class name or None, is a list)."""
    out = {}
    for attr, prop in vars(args_cls).items():
        if not isinstance(prop, property) or prop.fget is None:
            continue
        wire = getattr(prop.fget, "_pulumi_name", None)
        if not wire:
            continue
        ann = repr(prop.fget.__annotations__.get("return", ""))
        m = _ARGS_REF.search(ann)
        nested = m.group(1) if m else None
        is_list = bool(nested) and ann.find("Sequence[") != -1 and ann.find("Sequence[") < m.start()
        out[wire] = (attr, nested, is_list)
    return out


def _nested_rename(nested: str, parent: str) -> str | None:
    """Repeated blocks: the bridge names the nested type <Parent><Block>; the Terraform block is <block>."""
    return snake(nested[len(parent):]) if nested.startswith(parent) and len(nested) > len(parent) else None


def _dedupe(resources: dict, types: dict) -> dict:
    """Nested types are walked to the bottom, so WAFv2 statements keep their Terraform shape at any depth.
    The SDK names every nested type after its path, giving thousands of identical ones (the same
    statement under and/or/not/rate-based...): keep one per shape, chosen by the shortest name."""
    shape: dict[str, str] = {}

    def canon(name: str) -> str:
        if name not in shape:
            shape[name] = name  # a type that contains itself keeps its own name
            shape[name] = json.dumps({w: (p["tf"], p["kind"], canon(p["type"]) if p.get("type") in types else None)
                                      for w, p in sorted(types[name].items())})
        return shape[name]

    keep: dict[str, str] = {}
    for name in sorted(types, key=lambda n: (len(n), n)):
        keep.setdefault(canon(name), name)
    for props in [row["properties"] for row in resources.values()] + list(types.values()):
        for spec in props.values():
            if spec.get("type") in types:
                spec["type"] = keep[shape[spec["type"]]]
    return {name: types[name] for name in sorted(set(keep.values()))}


def build() -> dict:
    src = json.loads((HERE / "bridge_renames.json").read_text())
    import pulumi_aws  # noqa: F401  (the installed SDK is the second source)

    version = importlib.metadata.version("pulumi_aws")
    resources, types = {}, {}

    def walk(module: object, cls_name: str, key: str, renames: dict, how: str) -> dict:
        # A transcribed entry does not list properties added after that bridge build (v7 added some),
        # so a repeated block missing from it is still named after its nested type.
        args_cls = getattr(module, f"{cls_name}Args", None) or getattr(getattr(module, "_inputs", None), f"{cls_name}Args", None)
        props = {}
        if args_cls is None:
            return props
        for wire, (_py, nested, is_list) in sorted(_props(args_cls).items()):
            if wire in renames:
                tf, origin = renames[wire], how
            elif nested and is_list and _nested_rename(nested, cls_name):
                tf, origin = _nested_rename(nested, cls_name), "nested-type-name"
            else:
                tf, origin = snake(wire), "default"
            entry = {"tf": tf, "kind": "list" if is_list else ("object" if nested else "value"), "from": origin}
            if nested:
                mod = key.split("/")[0]
                entry["type"] = f"{mod}/{nested}"
                if entry["type"] not in types:
                    types[entry["type"]] = {}
                    sub = src["renamedProperties"].get(f"aws:{mod}/{nested}:{nested}", {})
                    types[entry["type"]] = walk(module, nested, entry["type"], sub, "bridge-metadata")
            props[wire] = entry
        return props

    tokens = dict(src["resources"])
    tokens.update({tok: o["terraform_type"] for tok, o in src.get("overrides", {}).items() if tok not in tokens})
    for token, tf_type in sorted(tokens.items()):
        override = src.get("overrides", {}).get(token, {})
        mod_name, cls_name = token.split(":")[1].split("/")[0], token.split(":")[2]
        module = importlib.import_module(f"pulumi_aws.{mod_name}_" if mod_name == "lambda" else f"pulumi_aws.{mod_name}")
        if not hasattr(module, cls_name):
            continue  # not in this SDK version (e.g. BucketV2 after v7)
        issue = src.get("from_issue", {}).get(token, {})
        issue = {**issue, **{w: snake(w) for w in src.get("unrenamed", {}).get(token, [])}}
        bridge = src["renamedProperties"].get(override.get("renamedProperties_of", token))
        if bridge is not None:
            renames, how = {**bridge, **issue}, "bridge-metadata"
        else:
            renames, how = dict(issue), "issue-4"
        resources[token] = {
            "terraform_type": override.get("terraform_type", tf_type),
            "renames_from": how if renames else "default",
            # every rename known for the token, output-only properties (arn, tagsAll...) included
            "renames": dict(sorted(renames.items())),
            "properties": walk(module, cls_name, f"{mod_name}/{cls_name}", renames, how),
        }
    return {
        "_generated_by": "providers/pulumi/gen_mapping.py",
        "_sources": {"bridge_metadata": src["_source"], "pulumi_aws_sdk": version},
        "_legend": {
            "from": "bridge-metadata: renamedProperties entry; issue-4: rename stated in issue 4; "
                    "nested-type-name: a repeated block named after its nested type (<Resource><Block>); "
                    "default: the bridge's camelCase -> snake_case rule",
            "kind": "value; object: a single nested block (Terraform: one-element list); list: repeated blocks",
            "type": "nested types of the same shape share one entry (the shortest name)",
        },
        "resources": resources,
        "types": _dedupe(resources, types),
    }


def main() -> int:
    out = HERE / "aws_mapping.json"
    doc = build()
    # One line per resource and per nested type: small enough to commit, and diffs stay readable.
    lines = ["{"]
    for head in ("_generated_by", "_sources", "_legend"):
        lines.append(f" {json.dumps(head)}: {json.dumps(doc[head], ensure_ascii=False)},")
    for section in ("resources", "types"):
        lines.append(f" {json.dumps(section)}: {{")
        items = list(doc[section].items())
        for i, (key, val) in enumerate(items):
            lines.append(f"  {json.dumps(key)}: {json.dumps(val, separators=(',', ':'))}{',' if i < len(items) - 1 else ''}")
        lines.append(" }," if section == "resources" else " }")
    lines.append("}")
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
