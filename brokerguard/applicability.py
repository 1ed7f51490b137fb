"""Who a rule applies to (policies/applicability.yaml): profile facts, and categories such as 第一類 defined
from them. A fact the profile does not declare is never read as "no": the obligation is judged as applying."""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from pathlib import Path

from brokerguard import policies, schema
from brokerguard.errors import InputError

APPLICABILITY_PATH = Path(policies.__file__).resolve().parent / "applicability.yaml"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Condition:
    """Holds when any declared fact is true or the tier is one of these."""

    facts: tuple[str, ...] = ()
    tiers: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Definition:
    id: str
    any_of: Condition
    source: dict[str, object]  # title, article (both bilingual), date


@dataclass(frozen=True)
class Category:
    id: str
    name: dict[str, str]
    default: str
    definitions: tuple[Definition, ...]

    def definition(self, definition_id: str | None) -> Definition:
        wanted = definition_id or self.default
        return next(d for d in self.definitions if d.id == wanted)


@dataclass(frozen=True)
class Vocabulary:
    facts: dict[str, dict[str, str]]  # fact id -> its meaning in zh-TW and en
    categories: dict[str, Category]


class Answer(enum.StrEnum):
    YES = "yes"
    NO = "no"
    ASSUMED = "assumed"  # depends on a fact the profile does not declare: judged as applying


def parse_tiers(value: object, where: str) -> frozenset[int]:
    if not isinstance(value, list) or not value or not all(type(t) is int and 1 <= t <= 4 for t in value):
        raise InputError(f"{where}: tiers must be a non-empty list of 1..4, got {value!r}")
    return frozenset(value)


def fact_list(value: object, where: str, known: dict[str, object]) -> tuple[str, ...]:
    facts = schema.string_list(value, where)
    for fact in facts:
        if fact not in known:
            raise InputError(f"{where}: unknown fact {fact!r} (known: {', '.join(sorted(known))})")
    return tuple(facts)


def parse_source(raw: object, where: str) -> dict[str, object]:
    """A rule's authority: document title and article in both languages, and its date (YYYY or YYYY-MM-DD)."""
    raw = schema.mapping(raw, where, {"title", "article", "date"})
    date = raw["date"]
    text = date.isoformat() if hasattr(date, "isoformat") else str(date)
    if not (len(text) == 4 and text.isdigit()):
        text = schema.date(date, f"{where}.date").isoformat()
    return {"title": schema.bilingual(raw["title"], f"{where}.title"),
            "article": schema.bilingual(raw["article"], f"{where}.article"), "date": text}


def parse_vocabulary(data: object, where: str) -> Vocabulary:
    data = schema.mapping(data, where, {"schema_version", "facts", "categories"})
    if data["schema_version"] != SCHEMA_VERSION:
        raise InputError(f"{where}: unsupported schema_version {data['schema_version']!r} (expected {SCHEMA_VERSION})")
    facts = {schema.text(k, f"{where}: facts"): schema.bilingual(v, f"{where}: facts.{k}")
             for k, v in schema.mapping(data["facts"], f"{where}: facts", set(), set(data["facts"] or {})).items()}
    categories = {}
    raw_categories = schema.mapping(data["categories"], f"{where}: categories", set(), set(data["categories"] or {}))
    for cid, raw in raw_categories.items():
        at = f"{where}: categories.{cid}"
        raw = schema.mapping(raw, at, {"name", "default", "definitions"})
        definitions = []
        for i, d in enumerate(raw["definitions"] or []):
            d = schema.mapping(d, f"{at}.definitions[{i}]", {"id", "any_of", "source"})
            cond = schema.mapping(d["any_of"], f"{at}.definitions[{i}].any_of", set(), {"facts", "tiers"})
            here = f"{at}.definitions[{i}]"
            definitions.append(Definition(
                id=schema.text(d["id"], f"{here}.id"),
                any_of=Condition(fact_list(cond.get("facts", []), f"{here}.any_of.facts", facts),
                                 parse_tiers(cond["tiers"], f"{here}.any_of.tiers") if "tiers" in cond else frozenset()),
                source=parse_source(d["source"], f"{at}.definitions[{i}].source"),
            ))
        ids = [d.id for d in definitions]
        if not ids or len(set(ids)) != len(ids) or raw["default"] not in ids:
            raise InputError(f"{at}: needs distinct definitions and a default that is one of them, "
                             f"got {ids} / {raw['default']!r}")
        categories[cid] = Category(cid, schema.bilingual(raw["name"], f"{at}.name"), raw["default"], tuple(definitions))
    return Vocabulary(facts, categories)


@functools.cache
def load_vocabulary(path: Path = APPLICABILITY_PATH) -> Vocabulary:
    return parse_vocabulary(schema.load_yaml(path), str(path))


def holds(cond: Condition, tier: int, facts: dict[str, bool]) -> tuple[Answer, list[str]]:
    """Whether any part of a condition holds; the facts it could not decide are returned as undeclared."""
    if tier in cond.tiers or any(facts.get(f) is True for f in cond.facts):
        return Answer.YES, []
    undeclared = [f for f in cond.facts if f not in facts]
    return (Answer.ASSUMED, undeclared) if undeclared else (Answer.NO, [])
