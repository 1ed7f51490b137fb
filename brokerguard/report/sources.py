"""Where a control's obligations come from (rule set, document, article, date): one shape for every format."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from brokerguard.catalog import Obligation


def obligation_dict(o: Obligation, definitions: Mapping[str, str] | None = None) -> dict[str, Any]:
    """An obligation as the JSON report and `controls --format json` show it."""
    return {"rule_set": o.rule_set, "id": o.id, "tiers": sorted(o.tiers) if o.tiers is not None else None,
            "category": o.category, "any_fact": list(o.any_fact), "in_force": o.in_force.isoformat(),
            "max_age_days": o.max_age_days, "who": o.who(definitions), "source": o.source, "text": o.text}


def cited(obligations: tuple[Obligation, ...], lang: str) -> list[str]:
    """One line per obligation: `rule set: title, article (date)`, in the report's language."""
    return list(dict.fromkeys(o.cite(lang) for o in obligations))
