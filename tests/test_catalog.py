"""The catalog is data with a schema that rejects typos, and it agrees with the checks."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from brokerguard import registry
from brokerguard.catalog import CATALOG_PATH, load_catalog, parse_catalog
from brokerguard.errors import InputError

CONTROLS_MD = Path(__file__).resolve().parents[2] / "shared" / "CONTROLS.md"
IDS = ["antivirus", "firewall", "email-filtering", "system-classification", "isms", "bcp-drill", "penetration-test",
       "health-check", "threat-detection", "ids-ips", "waf", "apt-defense", "security-certification",
       "security-staffing", "internal-audit", "web-vuln-scan", "training-dedicated", "training-general"]


def raw() -> dict:
    return yaml.safe_load(CATALOG_PATH.read_text())


def test_catalog_has_the_18_controls_of_the_rule() -> None:
    catalog = load_catalog()
    assert [c.id for c in catalog.controls] == IDS
    if CONTROLS_MD.exists():  # the regulation's facts, beside the repository
        table_ids = re.findall(r"^\| ([a-z-]+) \| ", CONTROLS_MD.read_text(), re.M)
        assert set(table_ids) - {"id", "tier"} <= set(IDS)


@pytest.mark.parametrize(("control", "tiers", "in_force"), [
    ("antivirus", {1, 2, 3, 4}, dt.date(2021, 1, 1)),
    ("system-classification", {1, 2, 3, 4}, dt.date(2022, 1, 31)),
    ("bcp-drill", {1, 2, 3}, dt.date(2022, 1, 1)),
    ("waf", {1, 2}, dt.date(2023, 1, 1)),
    ("threat-detection", {1, 2}, dt.date(2023, 1, 1)),
    ("apt-defense", {1}, dt.date(2023, 1, 1)),
    ("security-certification", {1, 2, 3}, dt.date(2023, 1, 1)),
])
def test_tiers_and_dates_follow_the_seed(control: str, tiers: set[int], in_force: dt.date) -> None:
    c = load_catalog().get(control)
    assert c.tiers == tiers
    assert min(o.in_force for o in c.obligations) == in_force


def test_isms_has_two_obligations() -> None:
    isms = load_catalog().get("isms")
    adoption, certification = isms.obligations
    assert (adoption.id, sorted(adoption.tiers), adoption.in_force) == ("adoption", [1, 2, 3], dt.date(2022, 1, 1))
    assert (certification.id, sorted(certification.tiers)) == ("certification", [1, 2])
    assert certification.in_force == dt.date(2023, 12, 31) and certification.expiry_required
    assert isms.scope == "core"


def test_every_control_is_bilingual() -> None:
    for c in load_catalog().controls:
        assert c.name["zh-TW"] and c.name["en"] and c.requirement["zh-TW"] and c.requirement["en"]


def entry(data: dict, control_id: str) -> dict:
    """A control's entry in the raw catalog, by id (not by position)."""
    return next(c for c in data["controls"] if c["id"] == control_id)


def _broken(mutate) -> str:
    data = raw()
    mutate(data)
    with pytest.raises(InputError) as err:
        parse_catalog(data, "catalog.yaml")
    return str(err.value)


def test_unknown_key_is_rejected_naming_the_entry() -> None:
    msg = _broken(lambda d: entry(d, "firewall").update(chekcs=["CKV_TWB_002"]))
    assert "control 'firewall'" in msg and "unknown key 'chekcs'" in msg


def test_wrong_tier_is_rejected() -> None:
    msg = _broken(lambda d: entry(d, "waf")["obligations"][0].update(tiers=[1, 5]))
    assert "control 'waf'" in msg and "tiers" in msg


def test_check_that_does_not_exist_is_rejected() -> None:
    msg = _broken(lambda d: entry(d, "waf")["checks"].append("CKV_TWB_999"))
    assert "control 'waf'" in msg and "CKV_TWB_999 is not a check in policies/checkov/" in msg


def test_other_schema_errors() -> None:
    assert "not a CC code" in _broken(lambda d: entry(d, "antivirus").update(cc="17010"))
    assert "appears twice" in _broken(lambda d: d["controls"].append(entry(d, "antivirus")))
    assert "missing key 'name'" in _broken(lambda d: entry(d, "antivirus").pop("name"))
    assert "not a valid date" in _broken(lambda d: entry(d, "antivirus")["obligations"][0].update(in_force="2021-13-01"))
    assert "no checks" in _broken(lambda d: entry(d, "isms").update(verification="infrastructure"))
    assert "named by both" in _broken(
        lambda d: entry(d, "antivirus").update(checks=["CKV_TWB_002"], verification="infrastructure"))


def test_every_policy_serves_exactly_one_control() -> None:
    """The catalog is the only owner of check -> control: every check and rule is named by one control."""
    catalog = load_catalog()
    for policy in registry.load():
        owner = catalog.control_of(policy.id)
        assert owner is not None, f"{policy.source} is in no catalog entry"


def test_a_checkov_built_in_check_is_refused() -> None:
    """Checkov's built-in checks are not loaded (nor translated, nor given a severity): the catalog names ours only."""
    msg = _broken(lambda d: entry(d, "waf")["checks"].append("CKV2_AWS_28"))
    assert "control 'waf'" in msg and "CKV2_AWS_28 is not a check in policies/checkov/" in msg


def test_a_stack_rule_named_as_a_check_is_refused() -> None:
    msg = _broken(lambda d: entry(d, "firewall")["checks"].append("TWB_STACK_001"))
    assert "TWB_STACK_001 is not a check" in msg
