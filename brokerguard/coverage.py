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
from collections.abc import Iterable, Mapping

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


def cannot_judge(findings: list[Finding], unknown: Mapping[str, Mapping[str, str]]) -> list[Finding]:
    """A finding that rests on an unknown attribute fails, saying it cannot be judged and why."""
    policies = registry.load()
    out = []
    for f in findings:
        reads = policies[f.check_id].meta.attributes
        gaps = {a: why for a, why in unknown.get(f.resource, {}).items() if _reads(f.check_id, reads, a)}
        if gaps:
            listed = ", ".join(f"{a} ({why})" for a, why in sorted(gaps.items()))
            what = Text(f"cannot judge: {listed}", f"無法判定：{listed}")
            # Not knowing a value is a failure, whatever evidence could otherwise have shown (no evidence gap).
            f = dataclasses.replace(f, passed=False, message=what if f.passed else Text.join("; ", [what, f.message]),
                                    evidence_gap=False)
        out.append(f)
    return out
