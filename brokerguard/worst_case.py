"""Findings of a tree whose resources may or may not be created (a count Terraform decides).

The scan judges the tree twice: with every resource that may be created (an exposure counts when it
may be there) and with only those certainly created (a protection counts only when it is certainly
there). A finding passes only when it passes both ways.
"""

from __future__ import annotations

from dataclasses import replace

from brokerguard.model import Finding
from brokerguard.policies.meta import Text


def _by_key(findings: list[Finding]) -> dict[tuple[str, str], list[Finding]]:
    out: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        out.setdefault((f.check_id, f.resource), []).append(f)
    return out


def worst_case(may: list[Finding], certain: list[Finding], uncertain: list[str]) -> list[Finding]:
    """Every failure of either judgement; a pass only where neither fails."""
    named = ", ".join(uncertain[:3]) + (f" and {len(uncertain) - 3} more" if len(uncertain) > 3 else "")
    why = Text(f"cannot judge: holds only if {named} (count or for_each not known) is created",
               f"無法判定：僅在 {named} 確實建立時成立（count 或 for_each 無法得知）")
    with_maybe, without = _by_key(may), _by_key(certain)
    out = []
    for key in dict.fromkeys([*with_maybe, *without]):
        failing = [f for f in with_maybe.get(key, []) if not f.passed]
        if not failing:
            failing = [replace(f, message=Text.join("; ", [why, f.message])) for f in without.get(key, []) if not f.passed]
        out += failing or with_maybe.get(key) or without[key]
    return out
