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


def never_read(check_ids: Iterable[str], served: Iterable[str], source: str) -> dict[str, str]:
    """Type -> why, for every type these checks read that a source never reads (scan-aws has no reader
    for it): the checks reading it would otherwise pass on "nothing found"."""
    policies, served = registry.load(), set(served)
    wanted = {t for cid in check_ids for t in policies[cid].types or ()}
    return {t: f"{source} does not read {t}" for t in sorted(wanted - served)}


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


# Rules that match workloads by any tag a broker chooses (an SSM association's or a backup selection's
# tag targets); every other policy reads only the classification keys and the settings' tag keys.
ANY_TAG_RULES = frozenset({"TWB_STACK_021", "TWB_STACK_031"})


def _reads(check_id: str, reads: frozenset[str] | None, attribute: str) -> bool:
    """Whether an unknown attribute (a path: `tags.Name`, `rule[0].action`) is one this policy reads."""
    top = attribute.split(".")[0].split("[")[0]
    if reads is not None and top not in reads:
        return False
    if top in ("tags", "tags_all") and "." in attribute and check_id not in ANY_TAG_RULES:
        # One tag's value unknown (a Name built from the stack name): only the keys policies read matter.
        from brokerguard.policies.resource_conf import setting, tag_keys

        return attribute.split(".", 1)[1] in set(tag_keys().values()) | {setting("rto_tag"), setting("firewall_admin_tag")}
    return True


# Stack rules and connection checks judge a resource by what it is linked to (its security groups,
# their rules, its subnet's routes): an unknown there is as much a guess as one on the resource.
LINKED_CHECK_PREFIXES = ("TWB_STACK_", "CKV2_")
LINK_HOPS = 2


def _linked_gaps(check_id: str, resource: str, unknown: Mapping[str, Mapping[str, str]],
                 reads: frozenset[str] | None, linked: Callable[[str], Iterable[str]]) -> dict[str, str]:
    """Unknown attributes (of those the check reads) of resources within two links of this one; not
    through a VPC, which every resource of the network refers to and which links nothing."""
    gaps: dict[str, str] = {}
    seen, frontier = {resource}, [resource]
    for _ in range(LINK_HOPS):
        frontier = [n for a in frontier if a == resource or not a.split(".")[-2].endswith("aws_vpc")
                    for n in linked(a) if n not in seen]
        seen.update(frontier)
        for n in frontier:
            gaps.update({f"{n}: {a}": why for a, why in unknown.get(n, {}).items() if _reads(check_id, reads, a)})
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
        gaps = {a: why for a, why in unknown.get(f.resource, {}).items() if _reads(f.check_id, reads, a)}
        if linked is not None and unknown and reads != frozenset() and f.check_id.startswith(LINKED_CHECK_PREFIXES):
            gaps.update(_linked_gaps(f.check_id, f.resource, unknown, reads, linked))
        if gaps:
            listed = sorted(gaps.items())
            what = Text("cannot judge: " + ", ".join(f"{a} ({why})" for a, why in listed),
                        "無法判定：" + "、".join(f"{a}（{why.zh if isinstance(why, Text) else why}）" for a, why in listed))
            # Not knowing a value is a failure, whatever evidence could otherwise have shown (no evidence gap).
            f = dataclasses.replace(f, passed=False, message=what if f.passed else Text.join("; ", [what, f.message]),
                                    evidence_gap=False)
        out.append(f)
    return out
