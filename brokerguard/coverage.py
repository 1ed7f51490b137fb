"""What each check and stack rule could not judge: a resource type a source could not read, or an
attribute whose value the source does not know.

Both come from the policies' own declarations (brokerguard.registry): the resource types a check
reads (a Python check's ``meta.types``, a YAML graph check's resource and connected types, a stack
rule's ``meta.types``) and the attributes it reads (``meta.attributes``). A policy that does not say
depends on everything (fail closed): any unread type makes it `error`, any unknown attribute of the
resource it judges makes its pass a "cannot judge".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping

from brokerguard import registry
from brokerguard.model import Finding
from brokerguard.policies.meta import Text


def unjudged(check_ids: Iterable[str], errors: Mapping[str, str]) -> dict[str, str]:
    """Check or rule id -> why it cannot be judged, given Terraform type -> why it could not be read."""
    if not errors:
        return {}
    policies = registry.load()
    out = {}
    for cid in sorted(check_ids):
        reads = policies[cid].types
        hit = sorted(errors) if reads is None else sorted(t for t in errors if t in reads)
        if hit:
            out[cid] = "; ".join(dict.fromkeys(errors[t] for t in hit))
    return out


# Stack rules and connection checks judge a resource by what it is linked to (its security groups,
# their rules, its subnet's routes): an unknown there is as much a guess as one on the resource.
LINKED_CHECK_PREFIXES = ("TWB_STACK_", "CKV2_")
LINK_HOPS = 2


def _gaps(attrs: Mapping[str, str], reads: frozenset[str] | None) -> dict[str, str]:
    return {a: why for a, why in attrs.items() if reads is None or a.split(".")[0].split("[")[0] in reads}


def _linked_gaps(resource: str, unknown: Mapping[str, Mapping[str, str]], reads: frozenset[str] | None,
                 linked: Callable[[str], Iterable[str]]) -> dict[str, str]:
    """Unknown attributes (of those the check reads) of resources within two links of this one; not
    through a VPC, which every resource of the network refers to and which links nothing."""
    gaps: dict[str, str] = {}
    seen, frontier = {resource}, [resource]
    for _ in range(LINK_HOPS):
        frontier = [n for a in frontier if a == resource or not a.split(".")[-2].endswith("aws_vpc")
                    for n in linked(a) if n not in seen]
        seen.update(frontier)
        for n in frontier:
            gaps.update({f"{n}: {a}": why for a, why in _gaps(unknown.get(n, {}), reads).items()})
    return gaps


def cannot_judge(findings: list[Finding], unknown: Mapping[str, Mapping[str, str]],
                 linked: Callable[[str], Iterable[str]] | None = None) -> list[Finding]:
    """A finding that rests on an unknown attribute fails, saying it cannot be judged and why.

    ``linked`` gives the addresses a resource refers to or is referred to by: for the checks that
    follow links, unknown attributes of linked resources count too.
    """
    policies = registry.load()
    out = []
    for f in findings:
        reads = policies[f.check_id].meta.attributes
        gaps = _gaps(unknown.get(f.resource, {}), reads)
        if linked is not None and unknown and reads != frozenset() and f.check_id.startswith(LINKED_CHECK_PREFIXES):
            gaps.update(_linked_gaps(f.resource, unknown, reads, linked))
        if gaps:
            listed = sorted(gaps.items())
            what = Text("cannot judge: " + ", ".join(f"{a} ({why})" for a, why in listed),
                        "無法判定：" + "、".join(f"{a}（{why.zh if isinstance(why, Text) else why}）" for a, why in listed))
            f = dataclasses.replace(f, passed=False, message=what if f.passed else Text.join("; ", [what, f.message]))
        out.append(f)
    return out
