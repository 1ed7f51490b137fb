"""Which resource types each check and stack rule reads, so that a kind of resource a source could
not read (live AWS: access denied, region unreachable) makes the checks that read it `error`, never
a pass resting on "nothing found".

The types come from the checks themselves: a Python check's supported_resources, a YAML graph
check's resource_types and connected_resource_types, a stack rule's ``reads``. A stack rule that
does not declare ``reads`` depends on every type (fail closed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def _graph_types(check: Any) -> set[str]:
    """Types a graph check's conditions look at. A `filter` condition only narrows (Checkov gives it every
    type there is), and a composite's own list is the union of its parts', filters included: skip both."""
    subs = [s for s in check.sub_checks or [] if "FILTER" not in str(s.type)]
    if check.sub_checks:
        return set().union(*(_graph_types(s) for s in subs))
    return set(check.resource_types or []) | set(check.connected_resources_types or [])


def checkov_types() -> dict[str, set[str]]:
    """Check id -> the types it reads, for every check Checkov has loaded (call after a scan)."""
    from checkov.common.checks_infra.registry import get_graph_checks_registry
    from checkov.terraform.checks.resource.registry import resource_registry

    out: dict[str, set[str]] = {}
    for rtype, checks in resource_registry.checks.items():
        for check in checks:
            out.setdefault(check.id, set()).add(rtype)
    graph = get_graph_checks_registry("terraform")
    graph.load_checks()
    for check in graph.checks:
        out.setdefault(check.id, set()).update(_graph_types(check))
    return out


def reads_of(check_ids: Iterable[str]) -> dict[str, set[str] | None]:
    """Check or rule id -> the types it reads (None: it may read anything). Call after a scan loaded Checkov."""
    from brokerguard.stack_rules import load_rules

    rules = load_rules()
    known = checkov_types()
    return {cid: (set(rules[cid].reads) if rules[cid].reads is not None else None) if cid in rules else known.get(cid)
            for cid in check_ids}


def never_read(check_ids: Iterable[str], served: Iterable[str], source: str) -> dict[str, str]:
    """Type -> why, for every type these checks read that a source never reads (scan-aws has no reader
    for it): the checks reading it would otherwise pass on "nothing found"."""
    served = set(served)
    wanted = {t for reads in reads_of(check_ids).values() for t in reads or ()}
    return {t: f"{source} does not read {t}" for t in sorted(wanted - served)}


def unjudged(check_ids: Iterable[str], errors: Mapping[str, str]) -> dict[str, str]:
    """Check or rule id -> why it cannot be judged, given Terraform type -> why it could not be read."""
    if not errors:
        return {}
    out = {}
    for cid, reads in sorted(reads_of(check_ids).items()):
        # None: a stack rule that does not say what it reads, or a check Checkov does not know
        hit = sorted(errors) if reads is None else sorted(t for t in errors if t in reads)
        if hit:
            out[cid] = "; ".join(dict.fromkeys(errors[t] for t in hit))
    return out
