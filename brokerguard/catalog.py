"""The control catalog (policies/catalog.yaml): loaded once, validated against its schema."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from brokerguard import policies, schema
from brokerguard.errors import InputError

POLICIES_DIR = Path(policies.__file__).resolve().parent
CATALOG_PATH = POLICIES_DIR / "catalog.yaml"

SCHEMA_VERSION = 1
LANGS = ("zh-TW", "en")
SCOPES = ("company", "core", "internet-facing-core")
# How each verification mode is judged; the keys are the catalog's words, the texts docs/controls.md's.
VERIFICATIONS = {
    "infrastructure": "automated (checks and stack rules)",
    "evidence": "evidence only (declared in the profile)",
    # both parts must hold (e.g. BCP: multi-AZ and a drill record)
    "infrastructure+evidence": "automated + evidence (both parts must hold)",
    # e.g. mail filtering: SES rules in the stack, or an on-premises gateway declared as evidence
    "infrastructure-or-evidence": "automated when the stack holds resources in scope, evidence only otherwise",
}
CC_CODE = re.compile(r"^CC-\d{5}$")
CONTROL_ID = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class Obligation:
    id: str
    tiers: frozenset[int]
    in_force: dt.date
    max_age_days: int | None
    expiry_required: bool
    also_met_by: tuple[str, ...]
    text: dict[str, str] | None


@dataclass(frozen=True)
class Control:
    id: str
    cc: str
    name: dict[str, str]
    scope: str
    obligations: tuple[Obligation, ...]
    requirement: dict[str, str]
    verification: str
    checks: tuple[str, ...]
    stack_rules: tuple[str, ...]
    maintained: bool
    # Controls whose checks and rules also decide this one (APT defence needs all that threat detection needs).
    includes: tuple[str, ...] = ()

    @property
    def tiers(self) -> frozenset[int]:
        return frozenset().union(*(o.tiers for o in self.obligations))

    def applicable(self, tier: int) -> tuple[Obligation, ...]:
        return tuple(o for o in self.obligations if tier in o.tiers)

    def in_force(self, tier: int, as_of: dt.date) -> tuple[Obligation, ...]:
        return tuple(o for o in self.applicable(tier) if o.in_force <= as_of)


@dataclass(frozen=True)
class Catalog:
    controls: tuple[Control, ...]

    def get(self, control_id: str) -> Control | None:
        return next((c for c in self.controls if c.id == control_id), None)

    @property
    def check_ids(self) -> frozenset[str]:
        return frozenset(cid for c in self.controls for cid in c.checks)

    @property
    def stack_rule_ids(self) -> frozenset[str]:
        return frozenset(rid for c in self.controls for rid in c.stack_rules)

    def deciding(self, control: Control) -> frozenset[str]:
        """Ids of the checks and rules that decide a control: its own and those of the controls it includes."""
        included = [c for c in self.controls if c.id in control.includes]
        return frozenset(i for c in (control, *included) for i in c.checks + c.stack_rules)

    def control_of(self, check_or_rule_id: str) -> Control | None:
        return next((c for c in self.controls if check_or_rule_id in c.checks + c.stack_rules), None)


def _bilingual(value: object, where: str) -> dict[str, str]:
    value = schema.mapping(value, where, set(LANGS))
    return {lang: schema.text(value[lang], f"{where}.{lang}") for lang in LANGS}


def _tiers(value: object, where: str) -> frozenset[int]:
    if not isinstance(value, list) or not value or not all(type(t) is int and 1 <= t <= 4 for t in value):
        raise InputError(f"{where}: tiers must be a non-empty list of 1..4, got {value!r}")
    return frozenset(value)


def _obligation(raw: object, where: str) -> Obligation:
    raw = schema.mapping(raw, where, {"id", "tiers", "in_force"},
                         {"max_age_days", "expiry_required", "also_met_by", "text"})
    max_age = raw.get("max_age_days")
    if max_age is not None and (type(max_age) is not int or max_age <= 0):
        raise InputError(f"{where}.max_age_days: expected a positive whole number of days, got {max_age!r}")
    if not isinstance(raw.get("expiry_required", False), bool):
        raise InputError(f"{where}.expiry_required: expected true or false")
    return Obligation(
        id=schema.text(raw["id"], f"{where}.id"),
        tiers=_tiers(raw["tiers"], f"{where}.tiers"),
        in_force=schema.date(raw["in_force"], f"{where}.in_force"),
        max_age_days=max_age,
        expiry_required=raw.get("expiry_required", False),
        also_met_by=tuple(schema.string_list(raw.get("also_met_by", []), f"{where}.also_met_by")),
        text=_bilingual(raw["text"], f"{where}.text") if "text" in raw else None,
    )


def _policy_kinds() -> dict[str, str]:
    """Policy id -> kind, from the registry (the checks and rules that exist and load)."""
    from brokerguard import registry

    return {p.id: p.kind for p in registry.load()}


def _control(raw: object, where: str, kinds: dict[str, str]) -> Control:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        where = f"{where} (control {raw['id']!r})"
    raw = schema.mapping(raw, where, {"id", "cc", "name", "scope", "obligations", "requirement", "verification"},
                         {"checks", "stack_rules", "maintained", "includes"})
    cid = schema.text(raw["id"], f"{where}.id")
    if not CONTROL_ID.match(cid):
        raise InputError(f"{where}.id: {cid!r} is not a lower-case, dash-separated id")
    where = f"control {cid!r}"
    if not isinstance(raw["cc"], str) or not CC_CODE.match(raw["cc"]):
        raise InputError(f"{where}.cc: {raw['cc']!r} is not a CC code like CC-17010")
    if raw["scope"] not in SCOPES:
        raise InputError(f"{where}.scope: {raw['scope']!r} is not one of {', '.join(SCOPES)}")
    if raw["verification"] not in VERIFICATIONS:
        raise InputError(f"{where}.verification: {raw['verification']!r} is not one of {', '.join(VERIFICATIONS)}")
    if not isinstance(raw["obligations"], list) or not raw["obligations"]:
        raise InputError(f"{where}.obligations: expected a non-empty list")
    obligations = tuple(_obligation(o, f"{where}.obligations[{i}]") for i, o in enumerate(raw["obligations"]))
    ob_ids = [o.id for o in obligations]
    if len(set(ob_ids)) != len(ob_ids):
        raise InputError(f"{where}.obligations: duplicate obligation id")
    for o in obligations:
        for other in o.also_met_by:
            if other not in ob_ids:
                raise InputError(f"{where}: obligation {o.id!r} also_met_by unknown obligation {other!r}")
    from brokerguard.registry import STACK_RULE

    checks = tuple(schema.string_list(raw.get("checks", []), f"{where}.checks"))
    for check_id in checks:
        if kinds.get(check_id, STACK_RULE) == STACK_RULE:
            raise InputError(f"{where}.checks: {check_id} is not a check in policies/checkov/ (Checkov's built-in "
                             "checks are not run: write the check in policies/checkov/, docs/custom-policy.md)")
    rules = tuple(schema.string_list(raw.get("stack_rules", []), f"{where}.stack_rules"))
    for rule_id in rules:
        if kinds.get(rule_id) != STACK_RULE:
            raise InputError(f"{where}.stack_rules: {rule_id} is not a rule in policies/stack_rules/")
    includes = tuple(schema.string_list(raw.get("includes", []), f"{where}.includes"))
    if raw["verification"] != "evidence" and not (checks or rules or includes):
        raise InputError(f"{where}: verification is {raw['verification']} but no checks or stack_rules are named")
    if not isinstance(raw.get("maintained", False), bool):
        raise InputError(f"{where}.maintained: expected true or false")
    return Control(
        id=cid, cc=raw["cc"], name=_bilingual(raw["name"], f"{where}.name"), scope=raw["scope"],
        obligations=obligations, requirement=_bilingual(raw["requirement"], f"{where}.requirement"),
        verification=raw["verification"], checks=checks, stack_rules=rules,
        maintained=raw.get("maintained", False), includes=includes,
    )


def parse_catalog(data: object, where: str) -> Catalog:
    data = schema.mapping(data, where, {"schema_version", "controls"})
    if data["schema_version"] != SCHEMA_VERSION:
        raise InputError(f"{where}: unsupported schema_version {data['schema_version']!r} (expected {SCHEMA_VERSION})")
    if not isinstance(data["controls"], list) or not data["controls"]:
        raise InputError(f"{where}: controls must be a non-empty list")
    kinds = _policy_kinds()
    controls = tuple(_control(c, f"{where}: controls[{i}]", kinds) for i, c in enumerate(data["controls"]))
    seen: set[str] = set()
    for control in controls:
        if control.id in seen:
            raise InputError(f"{where}: control {control.id!r} appears twice")
        seen.add(control.id)
    for control in controls:
        for pid in control.checks + control.stack_rules:
            owner = next((c.id for c in controls if c is not control and pid in c.checks + c.stack_rules), None)
            if owner:
                raise InputError(f"{where}: {pid} is named by both {control.id!r} and {owner!r}")
        for other in control.includes:
            included = next((c for c in controls if c.id == other), None)
            if included is None or included is control:
                raise InputError(f"{where}: control {control.id!r} includes {other!r}, which is not another control")
            if included.includes:  # one level only: what decides a control stays readable in its entry
                raise InputError(f"{where}: control {control.id!r} includes {other!r}, which itself includes others")
    return Catalog(controls)


@functools.cache
def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    """Read and validate the catalog once per process."""
    return parse_catalog(schema.load_yaml(path), str(path))
