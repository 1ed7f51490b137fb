"""The catalog is data with a schema that rejects typos, and it agrees with the checks."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from brokerguard.catalog import CATALOG_PATH, CHECKOV_CHECKS_DIR, parse_catalog
from brokerguard.catalog import load_catalog
from brokerguard.errors import InputError
from brokerguard.profile import Profile
from brokerguard.scan import scan
from brokerguard.stack_rules import load_rules
from conftest import EXAMPLES

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


# Tiers and dates live in the rule sets (tests/test_rule_sets.py checks their schema).
def _broken(mutate) -> str:  # noqa: ANN001
    data = raw()
    mutate(data)
    with pytest.raises(InputError) as err:
        parse_catalog(data, "catalog.yaml")
    return str(err.value)


def test_unknown_key_is_rejected_naming_the_entry() -> None:
    msg = _broken(lambda d: d["controls"][1].update(chekcs=["CKV_TWB_002"]))
    assert "control 'firewall'" in msg and "unknown key 'chekcs'" in msg


def test_check_that_does_not_exist_is_rejected() -> None:
    msg = _broken(lambda d: d["controls"][10]["checks"].append("CKV_TWB_999"))
    assert "control 'waf'" in msg and "CKV_TWB_999 does not exist" in msg


def test_other_schema_errors() -> None:
    assert "not a CC code" in _broken(lambda d: d["controls"][0].update(cc="17010"))
    assert "appears twice" in _broken(lambda d: d["controls"].append(d["controls"][0]))
    assert "missing key 'name'" in _broken(lambda d: d["controls"][0].pop("name"))
    assert "no checks" in _broken(lambda d: d["controls"][4].update(verification="infrastructure"))  # isms
    assert "named by both" in _broken(lambda d: d["controls"][0].update(checks=["CKV_TWB_002"], verification="infrastructure"))


def test_checks_and_rules_declare_the_control_that_names_them() -> None:
    catalog = load_catalog()
    scan([EXAMPLES / "tier4-compliant"], Profile(tier=1), dt.date(2024, 6, 30), catalog)  # loads our checks
    from checkov.terraform.checks.resource.registry import resource_registry

    python_checks = {c.id: c for checks in resource_registry.checks.values() for c in checks if "TWB" in c.id}
    for path in sorted(CHECKOV_CHECKS_DIR.glob("CKV*_TWB_*")):
        check_id = re.match(r"(CKV2?_TWB_\d{3})", path.name).group(1)
        declared = (yaml.safe_load(path.read_text())["metadata"]["control"] if path.suffix == ".yaml"
                    else python_checks[check_id].control)
        owner = catalog.control_of(check_id)
        assert owner is not None, f"{path.name} is in no catalog entry"
        assert owner.id == declared, path.name
    for rule_id, rule in load_rules().items():
        assert catalog.control_of(rule_id).id == rule.control, rule_id
