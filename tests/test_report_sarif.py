"""SARIF 2.1.0: valid against the official schema, one result per failing resource with file and line."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import EXAMPLES, REPO

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
PROFILES = REPO / "iac_examples" / "profiles"
AS_OF = "2024-06-30"


def validate(sarif: dict) -> None:
    """The official schema, draft 4; every $ref in it is local, so nothing is fetched."""
    jsonschema.Draft4Validator(SCHEMA).validate(sarif)


def sarif_of(cli, tmp_path: Path, path: Path, *args: object) -> tuple[int, dict, str]:
    out = tmp_path / "report.sarif"
    run = cli("scan", path, "--as-of", AS_OF, "--format", "sarif", "--output", out, *args)
    text = out.read_text(encoding="utf-8")
    return run.code, json.loads(text), text


def results(sarif: dict) -> list[dict]:
    return sarif["runs"][0]["results"]


def where(result: dict) -> tuple[str, str, int]:
    loc = result["locations"][0]["physicalLocation"]
    return result["ruleId"], loc["artifactLocation"]["uri"], loc.get("region", {}).get("startLine", 0)


def test_schema_rejects_what_it_should() -> None:
    """The validator is not vacuous: a result without a message, or a wrong version, is refused."""
    run = {"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "A"}]}
    with pytest.raises(jsonschema.ValidationError):
        validate({"version": "2.1.0", "runs": [run]})
    with pytest.raises(jsonschema.ValidationError):
        validate({"version": "2.0.0", "runs": []})


def test_public_core_database_is_a_result_with_file_and_line(cli, tmp_path: Path) -> None:
    code, sarif, _ = sarif_of(cli, tmp_path, EXAMPLES / "nonc-public-core-db", "--profile", PROFILES / "tier1.yaml")
    assert code == 1
    validate(sarif)
    found = {where(r) for r in results(sarif)}
    main_tf = "iac_examples/terraform/nonc-public-core-db/main.tf"
    assert {("CKV_TWB_003", main_tf, 67), ("TWB_STACK_001", main_tf, 67), ("TWB_STACK_002", main_tf, 67)} <= found
    db = next(r for r in results(sarif) if r["ruleId"] == "CKV_TWB_003")
    assert db["level"] == "error" and "publicly_accessible" in db["message"]["text"]
    assert db["locations"][0]["logicalLocations"][0]["name"] == "aws_db_instance.settlement"
    assert db["properties"]["control"] == "firewall"
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results(sarif))
    rule = rules[db["ruleIndex"]]
    assert rule["properties"]["control"] == "firewall" and rule["properties"]["cc"] == "CC-17010"
    assert "publicly_accessible = false" in rule["help"]["text"]  # the check's own `fix` text
    fingerprints = [r["partialFingerprints"]["brokerguard/v1"] for r in results(sarif)]
    assert len(set(fingerprints)) == len(fingerprints)


def test_every_check_of_the_catalog_is_a_rule(cli, tmp_path: Path) -> None:
    from brokerguard.catalog import load_catalog

    _, sarif, _ = sarif_of(cli, tmp_path, EXAMPLES / "tier4-compliant", "--tier", "4")
    ids = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    catalog = load_catalog()
    assert catalog.check_ids | catalog.stack_rule_ids <= ids
    # Evidence is declared in the profile: its descriptors are notifications, never code-scanning rules.
    assert not any(i.startswith("TWB_EVIDENCE.") for i in ids)
    notes = {d["id"] for d in sarif["runs"][0]["tool"]["driver"]["notifications"]}
    assert "TWB_EVIDENCE.antivirus" in notes and "TWB_EVIDENCE.isms" in notes


def test_waived_resource_is_suppressed_and_expired_waiver_is_not(cli, tmp_path: Path) -> None:
    data = yaml.safe_load((PROFILES / "tier1.yaml").read_text())
    data["waivers"] = [{"target": "CKV2_TWB_001", "resources": "aws_lb.web", "reason": "WAF rollout in Q3",
                        "approver": "CISO Lin", "expiry": "2024-09-30", "ticket": "SEC-42"}]
    profile = tmp_path / "profile.yaml"
    profile.write_text(yaml.safe_dump(data, allow_unicode=True))
    code, sarif, _ = sarif_of(cli, tmp_path, EXAMPLES / "nonc-alb-without-waf", "--profile", profile)
    validate(sarif)
    lb = next(r for r in results(sarif) if r["ruleId"] == "CKV2_TWB_001")
    assert where(lb) == ("CKV2_TWB_001", "iac_examples/terraform/nonc-alb-without-waf/main.tf", 18)
    assert lb["suppressions"][0]["status"] == "accepted" and "CISO Lin" in lb["suppressions"][0]["justification"]
    late = tmp_path / "late"
    late.mkdir()
    code, sarif, _ = sarif_of(cli, late, EXAMPLES / "nonc-alb-without-waf", "--profile", profile, "--as-of", "2024-10-01")
    lb = next(r for r in results(sarif) if r["ruleId"] == "CKV2_TWB_001")
    assert code == 1 and "suppressions" not in lb


def test_missing_evidence_is_a_configuration_notification_at_the_profile(cli, tmp_path: Path) -> None:
    data = yaml.safe_load((PROFILES / "tier1.yaml").read_text())
    data["evidence"] = [e for e in data["evidence"] if e["control"] != "penetration-test"]
    profile = tmp_path / "profile.yaml"
    profile.write_text(yaml.safe_dump(data, allow_unicode=True))
    code, sarif, _ = sarif_of(cli, tmp_path, EXAMPLES / "tier1-compliant", "--profile", profile)
    validate(sarif)
    assert code == 1
    assert results(sarif) == []  # no code alert: nothing in the code is wrong
    notes = sarif["runs"][0]["invocations"][0]["toolConfigurationNotifications"]
    assert [n["descriptor"]["id"] for n in notes] == ["TWB_EVIDENCE.penetration-test"]
    assert notes[0]["level"] == "error" and "How to fix" in notes[0]["message"]["text"]
    assert notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("profile.yaml")
    # Under --gate infrastructure the same gap is reported, as a warning that does not gate.
    code, sarif, _ = sarif_of(cli, tmp_path, EXAMPLES / "tier1-compliant", "--profile", profile, "--gate", "infrastructure")
    assert code == 0
    assert [n["level"] for n in sarif["runs"][0]["invocations"][0]["toolConfigurationNotifications"]] == ["warning"]


def test_provenance_hashes_every_input(cli, tmp_path: Path) -> None:
    import hashlib

    _, sarif, _ = sarif_of(cli, tmp_path, EXAMPLES / "tier1-compliant", "--profile", PROFILES / "tier1.yaml")
    run = sarif["runs"][0]
    hashes = {a["location"]["uri"]: a["hashes"]["sha-256"] for a in run["artifacts"]}
    tf = "iac_examples/terraform/tier1-compliant/firewall.tf"
    assert hashes[tf] == hashlib.sha256((REPO / tf).read_bytes()).hexdigest()
    assert set(hashes) == {"iac_examples/profiles/tier1.yaml"} | {
        f"iac_examples/terraform/tier1-compliant/{p.name}" for p in (EXAMPLES / "tier1-compliant").glob("*.tf")}
    prov = run["properties"]["provenance"]
    assert prov["checkov_version"] == "3.3.30"
    assert prov["profile"]["file"] == "iac_examples/profiles/tier1.yaml"


def test_same_input_same_bytes(cli, tmp_path: Path) -> None:
    args = (EXAMPLES / "nonc-public-core-db", "--profile", PROFILES / "tier1.yaml")
    first = sarif_of(cli, tmp_path, *args)[2]
    again = tmp_path / "again"
    again.mkdir()
    assert sarif_of(cli, again, *args)[2] == first


@pytest.fixture
def repo_subdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with the public-core-database stack in infra/, brokerguard run from inside infra/."""
    import shutil
    import subprocess

    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLES / "nonc-public-core-db", repo / "infra")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    monkeypatch.chdir(repo / "infra")
    return repo


def test_uris_are_relative_to_the_repository_root_from_a_subdirectory(cli, repo_subdir: Path) -> None:
    out = repo_subdir / "report.sarif"
    run = cli("scan", ".", "--tier", "1", "--as-of", AS_OF, "--format", "sarif", "--output", out,
              "--help-base-url", "https://example.test/checks")
    assert run.code == 1
    sarif = json.loads(out.read_text())
    validate(sarif)
    sarif_run = sarif["runs"][0]
    assert sarif_run["originalUriBaseIds"] == {"SRCROOT": {"uri": repo_subdir.resolve().as_uri() + "/"}}
    locations = [r["locations"][0]["physicalLocation"] for r in results(sarif)]
    assert all(loc["artifactLocation"] == {"uri": "infra/main.tf", "uriBaseId": "SRCROOT"} for loc in locations)
    assert {a["location"]["uri"] for a in sarif_run["artifacts"]} == {"infra/main.tf"}
    db = next(r for r in results(sarif) if r["ruleId"] == "CKV_TWB_003")
    # The whole resource block: `resource "aws_db_instance" "settlement" {` to its closing brace.
    lines = (repo_subdir / "infra" / "main.tf").read_text().splitlines()
    region = db["locations"][0]["physicalLocation"]["region"]
    assert lines[region["startLine"] - 1].startswith('resource "aws_db_instance" "settlement"')
    assert lines[region["endLine"] - 1] == "}" and region["endLine"] > region["startLine"] + 5
    assert "How to fix: Set publicly_accessible = false" in db["message"]["text"]
    # A stack-level absence (no GuardDuty anywhere) points at the provider's declaration, not line 1.
    guardduty = next(r for r in results(sarif) if r["ruleId"] == "TWB_STACK_023")
    region = guardduty["locations"][0]["physicalLocation"]["region"]
    assert lines[region["startLine"] - 1] == 'provider "aws" {' and lines[region["endLine"] - 1] == "}"
    rules = {r["id"]: r for r in sarif_run["tool"]["driver"]["rules"]}
    assert rules["CKV_TWB_003"]["helpUri"] == "https://example.test/checks#ckv_twb_003"
    assert rules["TWB_STACK_023"]["properties"]["precision"] == "medium"  # an absence: may be realised elsewhere
    assert rules["CKV_TWB_003"]["properties"]["precision"] == "high"


def test_repo_root_option_sets_the_uri_base(cli, repo_subdir: Path) -> None:
    out = repo_subdir / "report.sarif"
    cli("scan", ".", "--tier", "1", "--as-of", AS_OF, "--format", "sarif", "--output", out, "--repo-root", ".")
    sarif = json.loads(out.read_text())
    validate(sarif)
    assert sarif["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"] == (repo_subdir / "infra").resolve().as_uri() + "/"
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results(sarif)} == {"main.tf"}


def test_baseline_state_new_and_unchanged(cli, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    cli("scan", EXAMPLES / "nonc-public-core-db", "--tier", "1", "--as-of", AS_OF, "--create-baseline", baseline)
    doc = json.loads(baseline.read_text())
    doc["findings"] = [e for e in doc["findings"] if e["check_id"] != "CKV_TWB_003"]
    baseline.write_text(json.dumps(doc))
    _, sarif, _ = sarif_of(cli, tmp_path, EXAMPLES / "nonc-public-core-db", "--tier", "1", "--baseline", baseline)
    validate(sarif)
    states = {r["ruleId"]: r["baselineState"] for r in results(sarif)}
    assert states["CKV_TWB_003"] == "new" and states["CKV_TWB_033"] == "unchanged"


def test_severity_declared_beside_each_check_sets_level_and_security_severity(cli, tmp_path: Path) -> None:
    from brokerguard import registry

    _, sarif, _ = sarif_of(cli, tmp_path, EXAMPLES / "nonc-public-core-db", "--tier", "1")
    validate(sarif)
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    by_rule = {r["ruleId"]: r for r in results(sarif)}
    # GitHub ranks a public core database (critical) above a missing RTO tag (low).
    assert (rules["CKV_TWB_003"]["properties"]["security-severity"], by_rule["CKV_TWB_003"]["level"]) == ("9.5", "error")
    assert (rules["CKV_TWB_036"]["properties"]["security-severity"], by_rule["CKV_TWB_036"]["level"]) == ("2.0", "note")
    expected = {"critical": ("9.5", "error"), "high": ("8.0", "error"), "medium": ("5.5", "warning"), "low": ("2.0", "note")}
    for rule_id, rule in rules.items():
        severity = registry.load()[rule_id].meta.severity
        assert (rule["properties"]["security-severity"], rule["defaultConfiguration"]["level"]) == expected[severity]
    for r in results(sarif):
        assert r["level"] == rules[r["ruleId"]]["defaultConfiguration"]["level"]
    assert {r["level"] for r in results(sarif)} >= {"error", "warning", "note"}
