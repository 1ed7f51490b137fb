"""The gate end to end: statuses, exit codes, tiers, dates, evidence, waivers and input errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, REPO

PROFILES = REPO / "iac_examples" / "profiles"
AS_OF = "2024-06-30"


def scan(cli, path: Path, *args: object):
    return cli("scan", path, "--as-of", AS_OF, "--format", "json", *args)


def failing(run, control_id: str) -> set[tuple[str, str, int]]:
    return {(f["check_id"], f["resource"], f["line"]) for f in run.control(control_id)["findings"] if f["result"] == "failed"}


def write_profile(tmp_path: Path, base: str | None = None, **changes: object) -> Path:
    data = yaml.safe_load((PROFILES / base).read_text()) if base else {}
    data.update(changes)
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def test_compliant_tier1_stack_passes_with_its_evidence(cli) -> None:
    run = scan(cli, EXAMPLES / "tier1-compliant", "--profile", PROFILES / "tier1.yaml")
    assert run.code == 0, run.out
    assert run.json["tier"] == 1
    assert set(run.statuses().values()) <= {"pass", "attested"}
    assert run.statuses()["waf"] == "pass" and run.statuses()["firewall"] == "pass"


def test_every_control_appears_once_with_one_status(cli) -> None:
    run = scan(cli, EXAMPLES / "tier4-compliant", "--tier", "4")
    ids = [c["id"] for c in run.json["controls"]]
    assert len(ids) == len(set(ids)) == 18
    assert {"antivirus", "firewall", "waf", "isms", "apt-defense", "training-general"} <= set(ids)
    allowed = {"pass", "fail", "attested", "waived", "evidence_missing", "not_applicable", "not_in_force"}
    assert set(run.statuses().values()) <= allowed
    assert run.statuses()["apt-defense"] == "not_applicable"


def test_public_core_database_fails_firewall_on_the_database(cli) -> None:
    run = scan(cli, EXAMPLES / "nonc-public-core-db", "--tier", "3")
    assert run.code == 1
    assert run.statuses()["firewall"] == "fail"
    assert failing(run, "firewall") == {
        ("CKV_TWB_003", "aws_db_instance.settlement", 67),
        ("TWB_STACK_001", "aws_db_instance.settlement", 67),
        ("TWB_STACK_002", "aws_db_instance.settlement", 67),
        # The edge firewall is in the VPC but not on the path: the subnet routes straight to the internet gateway.
        ("TWB_STACK_003", "aws_vpc.main", 8),
        # The edge firewall names no administrator and logs nothing.
        ("CKV_TWB_010", "aws_networkfirewall_firewall.edge", 44),
        ("CKV2_TWB_010", "aws_networkfirewall_firewall.edge", 44),
    }
    finding = run.control("firewall")["findings"][0]
    assert finding["file"].endswith("nonc-public-core-db/main.tf")
    assert "firewall" in run.json["summary"]["failing_controls"]


def test_same_stack_passes_at_tier4_and_fails_at_tier2(cli) -> None:
    tier4 = scan(cli, EXAMPLES / "tier4-compliant", "--profile", PROFILES / "tier4.yaml")
    assert tier4.code == 0, tier4.out
    assert tier4.statuses()["waf"] == "not_applicable"
    assert tier4.statuses()["firewall"] == "attested"  # central firewall declared as evidence
    tier2 = scan(cli, EXAMPLES / "tier4-compliant", "--profile", PROFILES / "tier4.yaml", "--tier", "2")
    assert tier2.code == 1
    assert tier2.json["tier"] == 2
    assert tier2.statuses()["waf"] == "fail"
    assert failing(tier2, "waf") == {("CKV2_TWB_001", "aws_lb.web", 94)}


def test_waf_is_not_in_force_before_2023(cli) -> None:
    before = cli("scan", EXAMPLES / "nonc-alb-without-waf", "--tier", "1", "--as-of", "2022-06-30", "--format", "json")
    assert before.statuses()["waf"] == "not_in_force"
    assert before.control("waf")["findings"] == []
    after = cli("scan", EXAMPLES / "nonc-alb-without-waf", "--tier", "1", "--as-of", "2023-01-01", "--format", "json")
    assert after.statuses()["waf"] == "fail"
    assert failing(after, "waf") == {("CKV2_TWB_001", "aws_lb.web", 18)}


def test_missing_classification_fails_from_2022_01_31(cli) -> None:
    run = cli("scan", EXAMPLES / "nonc-missing-classification", "--tier", "4", "--as-of", "2022-01-30", "--format", "json")
    assert run.statuses()["system-classification"] == "not_in_force"
    run = cli("scan", EXAMPLES / "nonc-missing-classification", "--tier", "4", "--as-of", "2022-01-31", "--format", "json")
    assert run.statuses()["system-classification"] == "fail"
    assert {r for _, r, _ in failing(run, "system-classification")} == {"aws_instance.quotes", "aws_dynamodb_table.sessions"}


def test_capital_sets_the_tier(cli) -> None:
    run = scan(cli, EXAMPLES / "tier4-compliant", "--capital", "15000000000")
    assert run.json["tier"] == 2


def test_stack_rule_absence_is_attested_by_evidence_but_a_public_database_is_not(cli, tmp_path: Path) -> None:
    profile = write_profile(tmp_path, "tier4.yaml")
    run = scan(cli, EXAMPLES / "nonc-public-core-db", "--profile", profile)
    assert run.statuses()["firewall"] == "fail"  # evidence never hides a per-resource failure


def test_waiver_waives_until_it_expires(cli, tmp_path: Path) -> None:
    waiver = {"target": "CKV2_TWB_001", "resources": "aws_lb.web", "reason": "WAF rollout in Q3",
              "approver": "CISO Lin", "expiry": "2024-09-30", "ticket": "SEC-42"}
    profile = write_profile(tmp_path, "tier1.yaml", waivers=[waiver])
    live = scan(cli, EXAMPLES / "nonc-alb-without-waf", "--profile", profile)
    assert live.statuses()["waf"] == "waived"
    finding = next(f for f in live.control("waf")["findings"] if f["resource"] == "aws_lb.web")
    assert finding["result"] == "waived" and finding["waiver"]["approver"] == "CISO Lin"
    expired = cli("scan", EXAMPLES / "nonc-alb-without-waf", "--profile", profile, "--as-of", "2024-10-01", "--format", "json")
    assert expired.statuses()["waf"] == "fail"
    assert expired.code == 1
    assert any("expired on 2024-09-30" in n for n in expired.control("waf")["notes"])


def test_control_level_waiver(cli, tmp_path: Path) -> None:
    waiver = {"target": "waf", "reason": "WAF at the CDN provider", "approver": "CISO Lin", "expiry": "2025-01-01"}
    profile = write_profile(tmp_path, "tier1.yaml", waivers=[waiver])
    run = scan(cli, EXAMPLES / "nonc-alb-without-waf", "--profile", profile)
    assert run.statuses()["waf"] == "waived"
    assert run.control("waf")["waivers"][0]["expiry"] == "2025-01-01"


def test_expired_certificate_is_not_evidence(cli) -> None:
    args = ("--profile", PROFILES / "tier1.yaml", "--format", "json")
    valid = cli("scan", EXAMPLES / "tier1-compliant", "--as-of", "2026-11-19", *args)
    assert valid.statuses()["isms"] == "attested"  # the certificate's last valid day
    expired = cli("scan", EXAMPLES / "tier1-compliant", "--as-of", "2026-11-20", *args)
    assert expired.statuses()["isms"] == "evidence_missing"
    assert any("expired on 2026-11-19" in n for n in expired.control("isms")["notes"])


def test_stale_penetration_test_is_not_evidence(cli) -> None:
    run = cli("scan", EXAMPLES / "tier1-compliant", "--profile", PROFILES / "tier1.yaml", "--as-of", "2025-06-30",
              "--format", "json")
    assert run.statuses()["penetration-test"] == "evidence_missing"
    assert any("older than 366 days" in n for n in run.control("penetration-test")["notes"])


def test_isms_adoption_and_certification_are_separate_obligations(cli, tmp_path: Path) -> None:
    adoption_only = write_profile(tmp_path, evidence=[
        {"control": "isms", "obligation": "adoption", "text": "ISMS adopted", "date": "2022-05-01"}], tier=3)
    path = EXAMPLES / "tier4-compliant"
    assert scan(cli, path, "--profile", adoption_only).statuses()["isms"] == "attested"  # tier 3: adoption only
    assert scan(cli, path, "--profile", adoption_only, "--tier", "2").statuses()["isms"] == "evidence_missing"
    early = cli("scan", path, "--profile", adoption_only, "--tier", "2", "--as-of", "2023-06-30", "--format", "json")
    assert early.statuses()["isms"] == "attested"  # certification due by the end of 2023
    assert scan(cli, path, "--profile", adoption_only, "--tier", "4").statuses()["isms"] == "not_applicable"


def test_cli_format_lists_failing_resource_with_file_and_line(cli) -> None:
    run = cli("scan", EXAMPLES / "nonc-alb-without-waf", "--tier", "1", "--as-of", AS_OF)
    assert run.code == 1
    assert "FAIL              waf" in run.out
    assert "CKV2_TWB_001 FAILED: aws_lb.web (" in run.out and "nonc-alb-without-waf/main.tf:18)" in run.out
    assert "\033[" not in run.out  # no colour when not on a terminal
    assert run.out.rstrip().splitlines()[-1].startswith("FAILED:")


def test_output_file(cli, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "bg.json"
    run = cli("scan", EXAMPLES / "tier4-compliant", "--tier", "4", "--as-of", AS_OF, "--format", "json", "--output", out)
    assert run.out == "" and out.is_file()
    assert [c["id"] for c in __import__("json").loads(out.read_text())["controls"]][0] == "antivirus"


@pytest.mark.parametrize(("path", "expected"), [
    ("tests/fixtures/terraform/parse-error", "parse-error/main.tf:8: cannot parse Terraform"),
    ("tests/fixtures/terraform/bad-attr-for", "bad-attr-for/main.tf:4: cannot parse Terraform"),
    ("tests/fixtures/does-not-exist", "does-not-exist: no such file or directory"),
    ("docs", "nothing to scan"),
])
def test_unreadable_input_exits_2_naming_the_file(cli, tmp_path: Path, path: str, expected: str) -> None:
    (REPO / "docs").mkdir(exist_ok=True)
    out = tmp_path / "report.json"
    run = cli("scan", REPO / path, "--tier", "1", "--output", out)
    assert run.code == 2, run.err
    assert expected in run.err
    assert len(run.err.strip().splitlines()) == 1 and "Traceback" not in run.err
    # the report asked for says the scan was not judged (format cli), never a pass
    assert out.read_text().splitlines() == ["NOT JUDGED: Could not be judged: the scan did not complete, and this is not a pass",
                                            run.err.strip().removeprefix("brokerguard: error: ")]


def test_parse_error_suggests_a_way_out(cli) -> None:
    run = cli("scan", REPO / "tests/fixtures/terraform/parse-error", "--tier", "1")
    assert "terraform fmt" in run.err and "plan JSON" in run.err


@pytest.mark.parametrize(("args", "expected"), [
    (("--tier", "7"), "tier must be 1, 2, 3 or 4"),
    (("--tier", "0"), "tier must be 1, 2, 3 or 4"),
    (("--capital", "-5"), "non-negative"),
    (("--capital", "lots"), "amount in NT$"),
    (("--tier", "1", "--as-of", "2023-02-30"), "not a valid date"),
    (("--tier", "1", "--capital", "1"), "not allowed with argument"),
    ((), "no tier"),
])
def test_bad_arguments_exit_2(cli, args: tuple, expected: str) -> None:
    run = cli("scan", EXAMPLES / "tier4-compliant", *args)
    assert run.code == 2
    assert expected in run.err and len(run.err.strip().splitlines()) == 1


@pytest.mark.parametrize(("profile", "expected"), [
    ({"capital": -1}, "capital must be a non-negative amount"),
    ({"tier": 7}, "tier must be 1, 2, 3 or 4"),
    ({"tier": 1, "evidence": [{"control": "antivrus", "text": "x", "date": "2024-01-01"}]}, "unknown control id 'antivrus'"),
    ({"tier": 1, "evidence": [{"control": "antivirus", "text": "x", "date": "2023-02-30"}]}, "2023-02-30"),
    ({"tier": 1, "evidence": [{"control": "isms", "text": "x", "date": "2024-01-01"}]}, "name one of adoption, certification"),
    ({"tier": 1, "waivers": [{"target": "CKV_NOPE_1", "reason": "r", "approver": "a", "expiry": "2025-01-01"}]},
     "neither a control id"),
    ({"tier": 1, "waivers": [{"target": "waf", "reason": "r", "expiry": "2025-01-01"}]}, "missing key 'approver'"),
    ({"tier": 1, "tagkeys": {}}, "unknown key 'tagkeys'"),
    ({"tier": 1, "capital": 1000}, "contradicts capital"),
    ({"tier": 1, "settings": {"rto-tag": "x"}}, "unknown key 'rto-tag'"),
    ({"tier": 1, "settings": {"backup_retention_days": "seven"}}, "backup_retention_days: expected a non-negative whole number"),
    ({"tier": 1, "settings": {"waf_owasp_rule_groups": "AWSManagedRulesCommonRuleSet"}}, "expected a list of strings"),
    ({"name": "no tier"}, "no tier"),
])
def test_bad_profile_exits_2_naming_the_file(cli, tmp_path: Path, profile: dict, expected: str) -> None:
    path = write_profile(tmp_path, **profile)
    run = cli("scan", EXAMPLES / "tier4-compliant", "--profile", path)
    assert run.code == 2, run.out
    assert str(path) in run.err and expected in run.err
    assert len(run.err.strip().splitlines()) == 1


@pytest.mark.parametrize("text", ["tier: [1", "!!python/object/apply:os.system ['true']", "tier: 1\nevidence: {", "\xff\xfe"])
def test_malformed_profile_yaml_exits_2(cli, tmp_path: Path, text: str) -> None:
    path = tmp_path / "profile.yaml"
    path.write_bytes(text.encode("latin-1"))
    run = cli("scan", EXAMPLES / "tier4-compliant", "--profile", path)
    assert run.code == 2 and str(path) in run.err


@pytest.mark.parametrize(("capital", "tier"), [
    ("20000000000", 1), ("19999999999", 2), ("15000000000", 2), ("10000000000", 2),
    ("9999999999", 3), ("4000000000", 3), ("3999999999", 4), ("0", 4),
])
def test_tier_command(cli, capital: str, tier: int) -> None:
    run = cli("tier", "--capital", capital)
    assert run.code == 0 and run.out.strip().endswith(f"tier {tier}")


def test_controls_command(cli) -> None:
    run = cli("controls", "--tier", "2", "--as-of", "2022-06-30", "--format", "json")
    assert run.code == 0
    rows = {c["id"]: c for c in run.json["controls"]}
    assert len(rows) == 18
    assert rows["apt-defense"]["state"] == "not required"
    assert rows["waf"]["state"] == "required from 2023-01-01"
    assert rows["firewall"]["state"] == "required"
    text = cli("controls", "--tier", "2").out
    assert "網路防火牆" in text and "Web application firewall" in text


def test_help_explains_exit_codes(cli) -> None:
    run = cli("scan", "--help")
    assert run.code == 0 and "--profile" in run.out and "--as-of" in run.out
    assert "Exit codes" in cli("--help").out
