"""Discovered resources -> a PlanSource: Terraform addresses, references, the plan JSON document."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from brokerguard.model import Resource
from brokerguard.providers.aws.discover import Discovery, discover, services
from brokerguard.providers.aws.live import LiveResource
from brokerguard.providers.aws.live import Path as ValuePath
from brokerguard.providers.plan import PlanSource, plan_document, plan_entries, tags_of


def _name(rid: str) -> str:
    """A Terraform resource name from an AWS id: i-0abc -> i_0abc."""
    clean = re.sub(r"[^A-Za-z0-9_]", "_", rid).strip("_") or "r"
    return clean if not clean[0].isdigit() else f"r_{clean}"


def _addresses(resources: list[LiveResource]) -> list[str]:
    taken: set[str] = set()
    out = []
    for res in resources:
        base = f"{res.type}.{_name(res.id)}"
        address, n = base, 2
        while address in taken:  # a log group of the same name in two regions
            address, n = f"{base}_{n}", n + 1
        taken.add(address)
        out.append(address)
    return out


def _put(tree: Any, path: ValuePath, refs: list[str]) -> Any:
    """Nest a `references` expression at path, the way Terraform's configuration nests blocks."""
    if not path:
        merged = sorted(set((tree or {}).get("references", [])) | set(refs))
        return {"references": merged}
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        tree = list(tree) if isinstance(tree, list) else []
        tree += [{}] * (head + 1 - len(tree))
        tree[head] = _put(tree[head], rest, refs)
        return tree
    tree = dict(tree) if isinstance(tree, dict) else {}
    tree[head] = _put(tree.get(head), rest, refs)
    return tree


def live_source(found: Discovery, label: str) -> PlanSource:
    """The account as a plan: values as AWS reports them, references resolved between discovered resources."""
    addresses = _addresses(found.resources)
    # What each resource is known by when another one points at it: its id, ARN and name.
    index: dict[tuple[str, str], tuple[str, str]] = {}
    for res, address in zip(found.resources, addresses, strict=True):
        alias = {"aws_lb": "aws_alb"}.get(res.type)
        for key, attr in ((res.values.get("name"), "name"), (res.arn, "arn"), (res.values.get("id"), "id"), (res.id, "id")):
            if isinstance(key, str) and key:
                for rtype in filter(None, (res.type, alias)):
                    index.setdefault((rtype, key), (address, attr))
    planned, configured, resources, locations = [], [], [], {}
    for res, address in zip(found.resources, addresses, strict=True):
        name = address.split(".", 1)[1]
        expressions: dict[str, Any] = {}
        refs: set[str] = set()
        for path, target_type, key in res.links:
            hit = index.get((target_type, key))
            if hit and hit[0] != address:
                refs.add(hit[0])
                expressions = _put(expressions, path, [f"{hit[0]}.{hit[1]}", hit[0]])
        entry, block = plan_entries(address, res.type, name, res.values, expressions)
        planned.append(entry)
        configured.append(block)
        where = f"aws://{res.region}/{res.service}"
        locations[address] = (where, 0, res.arn or res.id)
        resources.append(Resource(address=address, type=res.type, name=name, values=res.values,
                                  references=frozenset(refs), file=where, line=0,
                                  tags=tags_of(res.values), source_id=res.arn or res.id, region=res.region,
                                  provider="live"))  # every resource of the one account read
    return PlanSource(root=Path(label), kind="aws", plan=plan_document(planned, configured),
                      resources=tuple(resources), locations=locations, errors=unreadable_types(found))


def unreadable_types(found: Discovery) -> dict[str, str]:
    """Terraform type -> why it could not be read (reader, region, AWS error), for every failed reader."""
    whys: dict[str, list[str]] = defaultdict(list)
    for key, why in sorted(found.errors.items()):
        reader = key.split("@", 1)[0]
        for rtype in services()[reader]["types"]:
            whys[rtype].append(f"{key}: {why}")
    return {t: "; ".join(w) for t, w in sorted(whys.items())}


def read_account(regions: list[str], profile: str | None = None, endpoint_url: str | None = None) -> PlanSource:
    """Discover the account in these regions (default: the profile's or environment's region)."""
    found = discover(regions, profile=profile, endpoint_url=endpoint_url)
    return live_source(found, f"aws:{found.account}:{','.join(found.regions)}")
