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
    assert "TWB_EVIDENCE.antivirus" in ids


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


def test_missing_evidence_is_a_result_at_the_profile(cli, tmp_path: Path) -> None:
    data = yaml.safe_load((PROFILES / "tier1.yaml").read_text())
    data["evidence"] = [e for e in data["evidence"] if e["control"] != "penetration-test"]
    profile = tmp_path / "profile.yaml"
    profile.write_text(yaml.safe_dump(data, allow_unicode=True))
    code, sarif, _ = sarif_of(cli, tmp_path, EXAMPLES / "tier1-compliant", "--profile", profile)
    validate(sarif)
    assert code == 1
    assert [r["ruleId"] for r in results(sarif)] == ["TWB_EVIDENCE.penetration-test"]
    assert results(sarif)[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("profile.yaml")


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
