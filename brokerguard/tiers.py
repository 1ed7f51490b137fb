"""The tier table: paid-in capital (or a foreign branch's designated operating capital) sets the tier.

Tier 1 from NT$20 billion, tier 2 from 10 billion, tier 3 from 4 billion, else tier 4 (CONTROLS.md;
still the thresholds in force in late 2024). No imports: the CLI's --help reads it too.
"""

TIER_THRESHOLDS = ((1, 20_000_000_000), (2, 10_000_000_000), (3, 4_000_000_000))
LOWEST_TIER = 4


def tier_for_capital(capital: float) -> int:
    return next((tier for tier, floor in TIER_THRESHOLDS if capital >= floor), LOWEST_TIER)


def describe() -> str:
    """The table in one line, for help texts: ">= 20e9: 1, >= 10e9: 2, >= 4e9: 3, else 4"."""
    steps = ", ".join(f">= {floor / 1e9:g}e9: {tier}" for tier, floor in TIER_THRESHOLDS)
    return f"{steps}, else {LOWEST_TIER}"
