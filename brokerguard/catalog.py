"""The control catalog (policies/catalog.yaml): loaded once, validated against its schema."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from brokerguard import policies, schema
from brokerguard.applicability import Answer, Condition, fact_list, holds, load_vocabulary, parse_source, parse_tiers
from brokerguard.errors import InputError

POLICIES_DIR = Path(policies.__file__).resolve().parent
CATALOG_PATH = POLICIES_DIR / "catalog.yaml"
RULE_SETS_DIR = POLICIES_DIR / "rule_sets"
RULE_SET_ID = re.compile(r"^[a-z][a-z0-9-]*$")

SCHEMA_VERSION = 1
LANGS = schema.LANGS
SCOPES = ("company", "core", "internet-facing-core", "internet-facing", "electronic-trading-login", "customer-data")
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
    """One rule of one rule set: who must run a control (all of tiers, category, any_fact that are given),
    from when, and on what authority."""

    id: str
    rule_set: str
    in_force: dt.date
    source: dict[str, object]  # title and article ({zh-TW, en}), date (YYYY or YYYY-MM-DD)
    tiers: frozenset[int] | None = None
    category: str | None = None  # e.g. first-class (policies/applicability.yaml)
    any_fact: tuple[str, ...] = ()  # applies when at least one is declared true
    max_age_days: int | None = None
    expiry_required: bool = False
    also_met_by: tuple[str, ...] = ()
    text: dict[str, str] | None = None

    @property
    def key(self) -> str:
        return f"{self.rule_set}:{self.id}"

    def applies(self, tier: int, facts: Mapping[str, bool],
                definitions: Mapping[str, str]) -> tuple[Answer, list[str]]:
        """yes / no / assumed (a fact it depends on is undeclared), with the undeclared facts."""
        answers, undeclared = [], []
        if self.tiers is not None:
            answers.append(Answer.YES if tier in self.tiers else Answer.NO)
        if self.category is not None:
            definition = load_vocabulary().categories[self.category].definition(definitions.get(self.category))
            answer, missing = holds(definition.any_of, tier, facts)
            answers.append(answer)
            undeclared += missing
        if self.any_fact:
            answer, missing = holds(Condition(facts=self.any_fact), tier, facts)
            answers.append(answer)
            undeclared += missing
        if Answer.NO in answers:
            return Answer.NO, []
        return (Answer.ASSUMED, undeclared) if Answer.ASSUMED in answers else (Answer.YES, [])

    def who(self, definitions: Mapping[str, str] | None = None, lang: str = "en") -> str:
        """Whom the obligation binds, in words (fact ids as the profile writes them)."""
        zh = lang == "zh-TW"

        def tier_words(tiers: frozenset[int]) -> str:
            listed = ("、" if zh else ", ").join(map(str, sorted(tiers)))
            return f"第 {listed} 級" if zh else f"tiers {listed}"

        parts = []
        if self.tiers is not None:
            parts.append(tier_words(self.tiers))
        if self.category is not None:
            category = load_vocabulary().categories[self.category]
            d = category.definition((definitions or {}).get(self.category))
            either = [f"fact {f}" if not zh else f"事實 {f}" for f in d.any_of.facts]
            either += [tier_words(d.any_of.tiers)] if d.any_of.tiers else []
            reading = (" 或 " if zh else " or ").join(either)
            parts.append(f"{category.name['zh-TW']}（定義 {d.id}：{reading}）" if zh else
                         f"{category.name['en']} ({category.name['zh-TW']}, definition {d.id}: {reading})")
        if self.any_fact:
            facts = (" 或 " if zh else " or ").join(self.any_fact)
            parts.append(f"具 {facts} 之業者" if zh else f"firms where {facts}")
        return (" 且 " if zh else " and ").join(parts)

    def cite(self, lang: str) -> str:
        """The source in one line: rule set, title, article, date."""
        s = self.source
        return f"{self.rule_set}: {s['title'][lang]}, {s['article'][lang]} ({s['date']})"


@dataclass(frozen=True)
class Control:
    id: str
    cc: str
    name: dict[str, str]
    scope: str
    obligations: tuple[Obligation, ...]  # those of the selected rule sets
    requirement: dict[str, str]
    verification: str
    checks: tuple[str, ...]
    stack_rules: tuple[str, ...]
    maintained: bool
    # Controls whose checks and rules also decide this one (APT defence needs all that threat detection needs).
    includes: tuple[str, ...] = ()

    @property
    def tiers(self) -> frozenset[int]:
        """The tiers its tier-bound obligations name (obligations bound by facts or categories name none)."""
        return frozenset().union(*(o.tiers for o in self.obligations if o.tiers is not None))

    @property
    def rule_sets(self) -> tuple[str, ...]:
        """The selected rule sets that require this control, in selection order."""
        return tuple(dict.fromkeys(o.rule_set for o in self.obligations))

    def applicable(self, tier: int, facts: Mapping[str, bool] | None = None,
                   definitions: Mapping[str, str] | None = None) -> tuple[Obligation, ...]:
        """Obligations that apply, or may apply (an undeclared fact): the stricter reading."""
        return tuple(o for o in self.obligations if o.applies(tier, facts or {}, definitions or {})[0] is not Answer.NO)

    def in_force(self, tier: int, as_of: dt.date, facts: Mapping[str, bool] | None = None,
                 definitions: Mapping[str, str] | None = None) -> tuple[Obligation, ...]:
        return tuple(o for o in self.applicable(tier, facts, definitions) if o.in_force <= as_of)


@dataclass(frozen=True)
class RuleSet:
    id: str
    name: dict[str, str]
    default: bool
    requires: dict[str, tuple[Obligation, ...]]  # control id -> its obligations, in file order
    path: str


@dataclass(frozen=True)
class Catalog:
    controls: tuple[Control, ...]  # those the selected rule sets require, in catalog order
    rule_sets: tuple[RuleSet, ...] = ()  # the selected ones, in the order asked
    every_control: tuple[Control, ...] = ()  # every control of policies/catalog.yaml (profiles may name any)

    def get(self, control_id: str) -> Control | None:
        return next((c for c in self.controls if c.id == control_id), None)

    def known(self, control_id: str) -> Control | None:
        """A control of the catalog file, judged in this run or not."""
        return next((c for c in self.every_control or self.controls if c.id == control_id), None)

    @property
    def check_ids(self) -> frozenset[str]:
        return frozenset(cid for c in self.controls for cid in c.checks)

    @property
    def stack_rule_ids(self) -> frozenset[str]:
        return frozenset(rid for c in self.controls for rid in c.stack_rules)

    def deciding(self, control: Control) -> frozenset[str]:
        """Ids of the checks and rules that decide a control: its own and those of the controls it includes."""
        included = [c for c in self.every_control or self.controls if c.id in control.includes]
        return frozenset(i for c in (control, *included) for i in c.checks + c.stack_rules)

    def control_of(self, check_or_rule_id: str) -> Control | None:
        return next((c for c in self.every_control or self.controls if check_or_rule_id in c.checks + c.stack_rules), None)


def _obligation(raw: object, where: str, rule_set: str, default_source: dict[str, object]) -> Obligation:
    raw = schema.mapping(raw, where, {"id", "in_force", "source"},
                         {"tiers", "category", "any_fact", "max_age_days", "expiry_required", "also_met_by", "text"})
    vocabulary = load_vocabulary()
    if not {"tiers", "category", "any_fact"} & set(raw):
        raise InputError(f"{where}: say whom it binds: tiers, category or any_fact")
    max_age = raw.get("max_age_days")
    if max_age is not None and (type(max_age) is not int or max_age <= 0):
        raise InputError(f"{where}.max_age_days: expected a positive whole number of days, got {max_age!r}")
    if not isinstance(raw.get("expiry_required", False), bool):
        raise InputError(f"{where}.expiry_required: expected true or false")
    category = raw.get("category")
    if category is not None and category not in vocabulary.categories:
        raise InputError(f"{where}.category: unknown category {category!r} (known: {', '.join(vocabulary.categories)})")
    source = schema.mapping(raw["source"], f"{where}.source", set(), {"title", "article", "date"})
    merged = {**default_source, **source}
    if "article" not in merged or "title" not in merged or "date" not in merged:
        raise InputError(f"{where}.source: needs title, article and date (here or in the rule set's source)")
    return Obligation(
        id=schema.text(raw["id"], f"{where}.id"), rule_set=rule_set,
        in_force=schema.date(raw["in_force"], f"{where}.in_force"),
        source=parse_source(merged, f"{where}.source"),
        tiers=parse_tiers(raw["tiers"], f"{where}.tiers") if "tiers" in raw else None,
        category=category,
        any_fact=fact_list(raw["any_fact"], f"{where}.any_fact", vocabulary.facts) if "any_fact" in raw else (),
        max_age_days=max_age,
        expiry_required=raw.get("expiry_required", False),
        also_met_by=tuple(schema.string_list(raw.get("also_met_by", []), f"{where}.also_met_by")),
        text=schema.bilingual(raw["text"], f"{where}.text") if "text" in raw else None,
    )


def _policy_kinds() -> dict[str, str]:
    """Policy id -> kind, from the registry (the checks and rules that exist and load)."""
    from brokerguard import registry

    return {p.id: p.kind for p in registry.load()}


def _control(raw: object, where: str, kinds: dict[str, str]) -> Control:
    """A control of the catalog file, without obligations: the rule sets give those."""
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        where = f"{where} (control {raw['id']!r})"
    raw = schema.mapping(raw, where, {"id", "cc", "name", "scope", "requirement", "verification"},
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
        id=cid, cc=raw["cc"], name=schema.bilingual(raw["name"], f"{where}.name"), scope=raw["scope"],
        obligations=(), requirement=schema.bilingual(raw["requirement"], f"{where}.requirement"),
        verification=raw["verification"], checks=checks, stack_rules=rules,
        maintained=raw.get("maintained", False), includes=includes,
    )


def parse_controls(data: object, where: str) -> tuple[Control, ...]:
    """The controls of the catalog file: what each is and which checks decide it (no obligations yet)."""
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
    return controls


def parse_rule_set(data: object, where: str, controls: tuple[Control, ...]) -> RuleSet:
    """One rule set file: which controls it requires, of whom, from when, on what authority."""
    data = schema.mapping(data, where, {"schema_version", "id", "name", "requires"}, {"default", "source"})
    if data["schema_version"] != SCHEMA_VERSION:
        raise InputError(f"{where}: unsupported schema_version {data['schema_version']!r} (expected {SCHEMA_VERSION})")
    rid = schema.text(data["id"], f"{where}: id")
    if not RULE_SET_ID.match(rid) or Path(where).stem != rid:
        raise InputError(f"{where}: id {rid!r} must be lower-case, dash-separated and the file's name")
    if not isinstance(data.get("default", False), bool):
        raise InputError(f"{where}: default: expected true or false")
    default_source = schema.mapping(data.get("source", {}), f"{where}: source", set(), {"title", "date"})
    if not isinstance(data["requires"], list) or not data["requires"]:
        raise InputError(f"{where}: requires must be a non-empty list")
    known = {c.id for c in controls}
    requires: dict[str, tuple[Obligation, ...]] = {}
    for i, entry in enumerate(data["requires"]):
        at = f"{where}: requires[{i}]"
        entry = schema.mapping(entry, at, {"control", "obligations"})
        cid = entry["control"]
        if cid not in known:
            raise InputError(f"{at}.control: {cid!r} is not a control of {CATALOG_PATH.name}")
        if cid in requires:
            raise InputError(f"{at}.control: {cid!r} appears twice")
        at = f"{at} (control {cid!r})"
        if not isinstance(entry["obligations"], list) or not entry["obligations"]:
            raise InputError(f"{at}.obligations: expected a non-empty list")
        obligations = tuple(_obligation(o, f"{at}.obligations[{j}]", rid, default_source)
                            for j, o in enumerate(entry["obligations"]))
        ids = [o.id for o in obligations]
        if len(set(ids)) != len(ids):
            raise InputError(f"{at}.obligations: duplicate obligation id")
        for o in obligations:
            for other in o.also_met_by:
                if other not in ids:
                    raise InputError(f"{at}: obligation {o.id!r} also_met_by unknown obligation {other!r}")
        requires[cid] = obligations
    return RuleSet(rid, schema.bilingual(data["name"], f"{where}: name"), data.get("default", False), requires, where)


@functools.cache
def available_rule_sets(folder: Path = RULE_SETS_DIR) -> dict[str, RuleSet]:
    """Every rule set file, validated; exactly one is the default."""
    controls = parse_controls(schema.load_yaml(CATALOG_PATH), str(CATALOG_PATH))
    found = {}
    for path in sorted(folder.glob("*.yaml")):
        rule_set = parse_rule_set(schema.load_yaml(path), str(path), controls)
        found[rule_set.id] = rule_set
    defaults = [r.id for r in found.values() if r.default]
    if len(defaults) != 1:
        raise InputError(f"{folder}: exactly one rule set must say `default: true`, found {defaults or 'none'}")
    return found


def default_rule_sets() -> tuple[str, ...]:
    return tuple(r.id for r in available_rule_sets().values() if r.default)


def rule_set_ids(text: str, where: str) -> tuple[str, ...]:
    """`twse-tiers-2021,twse-guidelines-2024`: known ids, each once, in the order given."""
    ids = tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
    known = available_rule_sets()
    unknown = [i for i in ids if i not in known] or ([] if ids else [text])
    if unknown:
        raise InputError(f"{where}: unknown rule set {unknown[0]!r} (known: {', '.join(known)})")
    return ids


def parse_catalog(data: object, where: str, rule_sets: tuple[str, ...] | None = None) -> Catalog:
    """A catalog document judged by the chosen rule sets (default: the default set), each control with the
    obligations they give it; a control no chosen set requires is not judged."""
    controls = parse_controls(data, where)
    available = available_rule_sets()
    chosen = tuple(available[i] for i in (rule_sets or default_rule_sets()))
    judged = []
    for control in controls:
        obligations = tuple(o for r in chosen for o in r.requires.get(control.id, ()))
        if obligations:
            judged.append(dataclasses.replace(control, obligations=obligations))
    return Catalog(tuple(judged), chosen, controls)


@functools.cache
def load_catalog(rule_sets: tuple[str, ...] | None = None) -> Catalog:
    """policies/catalog.yaml judged by the chosen rule sets, read and validated once per process."""
    return parse_catalog(schema.load_yaml(CATALOG_PATH), str(CATALOG_PATH), rule_sets)
