"""JUnit XML: a test case per control and per resource; failures carry the check, message, file and line."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

from conftest import EXAMPLES, REPO

PROFILES = REPO / "iac_examples" / "profiles"


def junit(cli, tmp_path: Path, path: Path, *args: object) -> tuple[int, ET.Element]:
    out = tmp_path / "report.xml"
    run = cli("scan", path, "--as-of", "2024-06-30", "--format", "junitxml", "--output", out, *args)
    return run.code, ET.parse(out).getroot()


def cases(root: ET.Element, classname: str) -> dict[str, ET.Element]:
    return {c.get("name"): c for c in root.iter("testcase") if c.get("classname") == classname}


def test_failing_resource_is_a_failed_case_with_file_line_and_fix(cli, tmp_path: Path) -> None:
    code, root = junit(cli, tmp_path, EXAMPLES / "nonc-public-core-db", "--profile", PROFILES / "tier1.yaml")
    assert code == 1
    firewall = cases(root, "CC-17010.firewall")
    db = firewall["aws_db_instance.settlement"]
    assert db.get("file") == "iac_examples/terraform/nonc-public-core-db/main.tf" and db.get("line") == "67"
    failure = db.find("failure")
    assert failure is not None and failure.get("type") == "CKV_TWB_003"
    assert "CKV_TWB_003: publicly_accessible is true on a core database" in failure.get("message")
    assert "how to fix: Set publicly_accessible = false" in failure.text
    assert firewall["control firewall: Network firewall / 網路防火牆"].find("failure") is not None
    # the edge firewall is in the VPC, but the database's subnet routes straight to the internet gateway
    assert "bypasses the firewall" in firewall["aws_vpc.main"].find("failure").get("message")
    suite = root.find("testsuite")
    failed = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert suite.get("failures") == str(len(failed)) == "17"
    # Besides the database: the edge firewall names no administrator and logs nothing (firewall), and its
    # policy, declared outside the stack, shows no IPS signatures (ids-ips; the profile declares no IPS).
    # This small stack also lacks what tier 1 needs for antivirus, mail filtering, resilience, threat
    # detection and APT defence (the tier-1 profile declares none of them: its own stack shows them).
    assert {c.get("classname") for c in failed} == {
        "CC-17010.firewall", "CC-17010.ids-ips", "CC-17010.antivirus", "CC-17010.email-filtering",
        "CC-20000.bcp-drill", "CC-17010.threat-detection", "CC-17010.apt-defense"}
    assert {(c.get("classname"), c.get("name")) for c in failed} >= {
        ("CC-17010.firewall", "aws_networkfirewall_firewall.edge"), ("CC-17010.ids-ips", "aws_networkfirewall_firewall.edge")}
    assert suite.get("tests") == str(len(list(suite.iter("testcase"))))


def test_every_control_is_a_case_and_provenance_is_in_the_properties(cli, tmp_path: Path) -> None:
    from brokerguard.catalog import load_catalog

    code, root = junit(cli, tmp_path, EXAMPLES / "tier4-compliant", "--profile", PROFILES / "tier4.yaml")
    assert code == 0
    names = {c.get("name").split(":")[0] for c in root.iter("testcase") if c.get("name").startswith("control ")}
    assert names == {f"control {c.id}" for c in load_catalog().controls}
    apt = next(c for c in root.iter("testcase") if c.get("name").startswith("control apt-defense"))
    assert apt.find("skipped").get("message").startswith("not_applicable")
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert props["tier"] == "4" and props["checkov_version"] == "3.3.30"
    assert "sha256:iac_examples/terraform/tier4-compliant/main.tf" in props


def test_waived_resource_is_skipped_with_the_waiver(cli, tmp_path: Path) -> None:
    data = yaml.safe_load((PROFILES / "tier1.yaml").read_text())
    data["waivers"] = [{"target": "CKV2_TWB_001", "resources": "aws_lb.web", "reason": "WAF rollout in Q3",
                        "approver": "CISO Lin", "expiry": "2024-09-30"}]
    profile = tmp_path / "profile.yaml"
    profile.write_text(yaml.safe_dump(data, allow_unicode=True))
    code, root = junit(cli, tmp_path, EXAMPLES / "nonc-alb-without-waf", "--profile", profile)
    web = cases(root, "CC-17010.waf")["aws_lb.web"]
    assert web.find("failure") is None
    assert web.find("skipped").get("message") == "waived by CISO Lin until 2024-09-30: WAF rollout in Q3"


def test_same_input_same_bytes(cli, tmp_path: Path) -> None:
    outs = []
    for name in ("a.xml", "b.xml"):
        cli("scan", EXAMPLES / "nonc-missing-classification", "--tier", "2", "--as-of", "2024-06-30",
            "--format", "junitxml", "--output", tmp_path / name)
        outs.append((tmp_path / name).read_bytes())
    assert outs[0] == outs[1]
