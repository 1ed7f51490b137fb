"""The broker profile: tier, as-of date, classification tag keys, evidence and waivers."""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from brokerguard import schema
from brokerguard.catalog import Catalog
from brokerguard.errors import InputError
from brokerguard.policies.resource_conf import DEFAULT_SETTINGS, DEFAULT_TAG_KEYS
from brokerguard.tiers import tier_for_capital


def parse_capital(value: object, where: str) -> float:
    """A non-negative amount in NT$: 15000000000, 15_000_000_000, '1.5e10'."""
    if isinstance(value, bool):
        raise InputError(f"{where}: capital must be an amount in NT$, got {value!r}")
    try:
        amount = Decimal(str(value).replace("_", "").replace(",", ""))
    except InvalidOperation:
        raise InputError(f"{where}: capital must be an amount in NT$, got {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise InputError(f"{where}: capital must be a non-negative amount in NT$, got {value!r}")
    return float(amount)


def parse_tier(value: object, where: str) -> int:
    if isinstance(value, bool) or str(value).strip() not in {"1", "2", "3", "4"}:
        raise InputError(f"{where}: tier must be 1, 2, 3 or 4, got {value!r}")
    return int(str(value).strip())


@dataclass(frozen=True)
class Evidence:
    control: str
    obligation: str | None
    text: str
    date: dt.date
    expiry: dt.date | None
    reference: str | None


@dataclass(frozen=True)
class Waiver:
    target: str  # a control id, or a check / stack rule id
    resources: str  # fnmatch pattern over resource addresses
    reason: str
    approver: str
    expiry: dt.date
    ticket: str | None = None
    compensating_control: str | None = None

    def covers(self, target: str, resource: str) -> bool:
        return self.target == target and fnmatch.fnmatchcase(resource, self.resources)

    def live(self, as_of: dt.date) -> bool:
        return as_of <= self.expiry


@dataclass(frozen=True)
class Profile:
    tier: int
    name: str | None = None
    capital: float | None = None
    tag_keys: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_TAG_KEYS))
    settings: dict[str, object] = field(default_factory=dict)  # only what the profile sets
    evidence: tuple[Evidence, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    source: str | None = None  # the profile file, when there is one


def _evidence(raw: object, where: str, catalog: Catalog) -> Evidence:
    raw = schema.mapping(raw, where, {"control", "text", "date"}, {"obligation", "expiry", "reference"})
    control = catalog.get(raw["control"]) if isinstance(raw["control"], str) else None
    if control is None:
        raise InputError(f"{where}.control: unknown control id {raw['control']!r}")
    obligation = raw.get("obligation")
    ob_ids = [o.id for o in control.obligations]
    if obligation is None and len(ob_ids) > 1:
        raise InputError(f"{where}.obligation: control {control.id!r} has several obligations; name one of {', '.join(ob_ids)}")
    if obligation is not None and obligation not in ob_ids:
        raise InputError(f"{where}.obligation: {obligation!r} is not an obligation of {control.id!r} ({', '.join(ob_ids)})")
    date = schema.date(raw["date"], f"{where}.date")
    expiry = schema.date(raw["expiry"], f"{where}.expiry") if raw.get("expiry") is not None else None
    if expiry is not None and expiry < date:
        raise InputError(f"{where}.expiry: {expiry} is before the evidence date {date}")
    reference = raw.get("reference")
    return Evidence(control.id, obligation, schema.text(raw["text"], f"{where}.text"), date, expiry,
                    schema.text(reference, f"{where}.reference") if reference is not None else None)


def _waiver(raw: object, where: str, catalog: Catalog) -> Waiver:
    raw = schema.mapping(raw, where, {"target", "reason", "approver", "expiry"},
                         {"resources", "ticket", "compensating_control"})
    target = raw["target"]
    if not isinstance(target, str) or not (catalog.get(target) or catalog.control_of(target)):
        raise InputError(f"{where}.target: {target!r} is neither a control id nor a check or rule id of the catalog")
    optional = {k: schema.text(raw[k], f"{where}.{k}") for k in ("ticket", "compensating_control") if raw.get(k) is not None}
    return Waiver(
        target=target,
        resources=schema.text(raw.get("resources", "*"), f"{where}.resources"),
        reason=schema.text(raw["reason"], f"{where}.reason"),
        approver=schema.text(raw["approver"], f"{where}.approver"),
        expiry=schema.date(raw["expiry"], f"{where}.expiry"),
        **optional,
    )


def _settings(raw: object, where: str) -> dict[str, object]:
    given = schema.mapping(raw, where, set(), set(DEFAULT_SETTINGS))
    out: dict[str, object] = {}
    for key, val in given.items():
        default = DEFAULT_SETTINGS[key]
        if isinstance(default, list):
            out[key] = schema.string_list(val, f"{where}.{key}")
        elif isinstance(default, int):
            if isinstance(val, bool) or not isinstance(val, int) or val < 0:
                raise InputError(f"{where}.{key}: expected a non-negative whole number, got {val!r}")
            out[key] = val
        else:
            out[key] = schema.text(val, f"{where}.{key}")
    return out


def _entries(raw: dict, key: str, where: str) -> list:
    value = raw.get(key) or []
    if not isinstance(value, list):
        raise InputError(f"{where}: {key}: expected a list, got {type(value).__name__}")
    return value


def load_profile(path: Path, catalog: Catalog, tier: int | None = None, capital: float | None = None) -> Profile:
    """Read a profile file; --tier or --capital given on the command line take precedence."""
    return parse_profile(schema.load_yaml(path), str(path), catalog, tier, capital, source=str(path))


def parse_profile(raw: object, where: str, catalog: Catalog, tier: int | None = None, capital: float | None = None,
                  source: str | None = None) -> Profile:
    """A profile already read (a file's YAML, or the CrossGuard pack's inline config); ``where`` names it in errors."""
    raw = schema.mapping(raw, where, set(), {"name", "tier", "capital", "tag_keys", "settings", "evidence", "waivers"})
    file_capital = parse_capital(raw["capital"], f"{where}: capital") if raw.get("capital") is not None else None
    file_tier = parse_tier(raw["tier"], f"{where}: tier") if raw.get("tier") is not None else None
    if file_tier is not None and file_capital is not None and tier_for_capital(file_capital) != file_tier:
        raise InputError(f"{where}: tier {file_tier} contradicts capital {file_capital:,.0f} "
                         f"(tier {tier_for_capital(file_capital)})")
    if capital is not None:
        tier = tier if tier is not None else tier_for_capital(capital)
    resolved = tier or file_tier or (tier_for_capital(file_capital) if file_capital is not None else None)
    if resolved is None:
        raise InputError(f"{where}: no tier: set tier or capital in the profile, or pass --tier / --capital")
    tag_keys = dict(DEFAULT_TAG_KEYS)
    if raw.get("tag_keys") is not None:
        given = schema.mapping(raw["tag_keys"], f"{where}: tag_keys", set(), set(DEFAULT_TAG_KEYS))
        tag_keys.update({k: schema.text(v, f"{where}: tag_keys.{k}") for k, v in given.items()})
    name = schema.text(raw["name"], f"{where}: name") if raw.get("name") is not None else None
    return Profile(
        tier=resolved,
        name=name,
        capital=capital if capital is not None else file_capital,
        tag_keys=tag_keys,
        settings=_settings(raw["settings"], f"{where}: settings") if raw.get("settings") is not None else {},
        evidence=tuple(_evidence(e, f"{where}: evidence[{i}]", catalog) for i, e in enumerate(_entries(raw, "evidence", where))),
        waivers=tuple(_waiver(w, f"{where}: waivers[{i}]", catalog) for i, w in enumerate(_entries(raw, "waivers", where))),
        source=source,
    )
