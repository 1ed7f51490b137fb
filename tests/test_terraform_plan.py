"""Terraform plan JSON input: real `terraform show -json` output (tests/fixtures/terraform_plan/,
written by its regenerate.py with Terraform 1.11 and the AWS provider 5.100), judged by the same checks
and stack rules as the HCL tree it was planned from."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from brokerguard.catalog import load_catalog
from brokerguard.profile import load_profile
from brokerguard.scan import open_source, scan
from conftest import EXAMPLES, FIXTURES, REPO

PLANS = FIXTURES / "terraform_plan"
PROFILES = REPO / "iac_examples" / "profiles"
AS_OF = dt.date(2024, 6, 30)


def _judged(result) -> tuple[dict[str, str], set[tuple[str, str, bool]]]:
    statuses = {r.control.id: r.status.value for r in result.results}
    findings = {(j.finding.check_id, j.finding.resource, j.finding.passed) for r in result.results for j in r.findings}
    return statuses, findings


@pytest.mark.parametrize("example,profile", [
    ("tier1-compliant", "tier1"), ("tier4-compliant", "tier4"),
    ("nonc-public-core-db", "tier1"), ("nonc-alb-without-waf", "tier1"),
    ("nonc-email-filtering", "tier1"), ("nonc-antivirus", "tier1"), ("nonc-threat-detection", "tier1"),
    ("nonc-bcp-drill", "tier1"), ("nonc-no-detective", "tier1"),
])
def test_plan_gives_the_same_results_as_its_hcl_tree(example: str, profile: str) -> None:
    catalog = load_catalog()
    prof = load_profile(PROFILES / f"{profile}.yaml", catalog)
    hcl = scan([EXAMPLES / example], prof, AS_OF, catalog)
    plan = scan([PLANS / f"{example}.plan.json"], prof, AS_OF, catalog)
    assert _judged(plan) == _judged(hcl)
    assert plan.sources == ((str(PLANS / f"{example}.plan.json"), "terraform-plan"),)


def test_plan_findings_name_the_plan_file(cli) -> None:
    run = cli("scan", PLANS / "nonc-public-core-db.plan.json", "--tier", "1", "--as-of", "2024-06-30", "--format", "json")
    assert run.code == 1
    failed = [f for f in run.control("firewall")["findings"] if f["result"] == "failed"]
    assert ("CKV_TWB_003", "aws_db_instance.settlement") in {(f["check_id"], f["resource"]) for f in failed}
    assert all(f["file"].endswith("nonc-public-core-db.plan.json") and f["line"] == 1 for f in failed)  # one-line JSON


def test_plan_is_recognised_by_content_and_keeps_module_references(tmp_path: Path) -> None:
    doc = json.loads((PLANS / "tier1-compliant.plan.json").read_text())
    renamed = tmp_path / "anything.txt"
    renamed.write_text(json.dumps(doc, indent=2))
    source = open_source(renamed)
    assert source.kind == "terraform-plan"
    db = next(r for r in source.resources if r.address == "aws_db_instance.ledger")
    assert "aws_db_subnet_group.trading" in db.references
    text = renamed.read_text().splitlines()
    assert '"address": "aws_db_instance.ledger"' in text[source.locations["aws_db_instance.ledger"][1] - 1]


def test_a_deleted_resource_is_not_judged(tmp_path: Path) -> None:
    doc = json.loads((PLANS / "nonc-public-core-db.plan.json").read_text())
    root = doc["planned_values"]["root_module"]
    root["resources"] = [r for r in root["resources"] if r["address"] != "aws_db_instance.settlement"]
    for change in doc["resource_changes"]:
        if change["address"] == "aws_db_instance.settlement":
            change["change"]["actions"] = ["delete"]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc))
    assert "aws_db_instance.settlement" not in {r.address for r in open_source(path).resources}


def test_a_value_known_only_after_apply_is_not_a_pass(tmp_path: Path) -> None:
    doc = json.loads((PLANS / "tier4-compliant.plan.json").read_text())
    db = next(r for r in doc["planned_values"]["root_module"]["resources"] if r["address"] == "aws_db_instance.orders")
    db["values"].pop("publicly_accessible")
    change = next(c for c in doc["resource_changes"] if c["address"] == "aws_db_instance.orders")
    change["change"]["after_unknown"]["publicly_accessible"] = True
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc))
    catalog = load_catalog()
    result = scan([path], load_profile(PROFILES / "tier4.yaml", catalog), AS_OF, catalog)
    firewall = next(r for r in result.results if r.control.id == "firewall")
    failed = [j.finding for j in firewall.findings if j.finding.check_id == "CKV_TWB_003" and not j.finding.passed]
    assert failed and "cannot judge: publicly_accessible (known only after apply)" in failed[0].message
    assert firewall.status.value == "fail"


def _drop_planned(doc: dict, address: str) -> None:
    root = doc["planned_values"]["root_module"]
    root["resources"] = [r for r in root["resources"] if r["address"] != address]


@pytest.mark.parametrize("mutate,expected", [
    (lambda d: d.update(errored=True), "the plan errored (errored: true)"),
    (lambda d: d.update(complete=False), "an incomplete plan (complete: false"),
    (lambda d: _drop_planned(d, "aws_db_instance.orders"),
     "resource_changes creates aws_db_instance.orders, which planned_values does not hold"),
])
def test_plans_terraform_did_not_finish_or_that_disagree_exit_2(cli, tmp_path: Path, mutate, expected: str) -> None:
    doc = json.loads((PLANS / "tier4-compliant.plan.json").read_text())
    mutate(doc)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc))
    run = cli("scan", path, "--tier", "4")
    assert run.code == 2 and str(path) in run.err and expected in run.err, run.err
    assert len(run.err.strip().splitlines()) == 1 and "Traceback" not in run.err


MUTANT_PLANS = FIXTURES / "terraform_mutants" / "plans"


def _lose_module(doc: dict, address: str) -> None:
    root = doc["planned_values"]["root_module"]
    root["child_modules"] = [m for m in root["child_modules"] if m["address"] != address]
    doc["resource_changes"] = [c for c in doc["resource_changes"] if not c["address"].startswith(address + ".")]


@pytest.mark.parametrize("plan,mutate,call", [
    # a real plan of two module calls, one holding a public core database, that lost that module
    ("two-module-calls-one-public", lambda d: _lose_module(d, "module.tenant_b"), "module.tenant_b"),
    # the real plan of `for_each = toset([])` on a call: Terraform writes no for_each for an expression
    # without references, so the call cannot be told from one the plan lost (the directory scan can)
    ("waf-association-in-module-for-each-empty", lambda d: None, "module.edge"),
])
def test_a_module_call_only_in_the_configuration_exits_2_naming_it(cli, tmp_path: Path, plan: str, mutate, call: str) -> None:
    doc = json.loads((MUTANT_PLANS / f"{plan}.plan.json").read_text())
    mutate(doc)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc))
    run = cli("scan", path, "--tier", "1")
    assert run.code == 2 and f"{path}: module call {call} creates resources in the configuration" in run.err, run.err
    assert "toset([])" in run.err and len(run.err.strip().splitlines()) == 1 and "Traceback" not in run.err


@pytest.mark.parametrize("plan,created", [
    ("public-db-module-count-0", False), ("public-db-module-count-var-default-0", False),
    ("public-db-module-for-each-empty-map", False), ("public-db-module-count-1", True),
    ("two-module-calls-one-public", True),
])
def test_module_calls_terraform_may_leave_empty_are_read(plan: str, created: bool) -> None:
    addresses = {r.address for r in open_source(MUTANT_PLANS / f"{plan}.plan.json").resources}
    assert any(a.startswith("module.tenant") and a.endswith("aws_db_instance.this") for a in addresses) == created


def test_a_condition_known_only_after_apply_is_not_its_reference_text(tmp_path: Path) -> None:
    # `publicly_accessible = aws_x.y.enabled`: apply decides it; the reference is no stand-in for a boolean.
    doc = json.loads((PLANS / "tier4-compliant.plan.json").read_text())
    db = next(r for r in doc["planned_values"]["root_module"]["resources"] if r["address"] == "aws_db_instance.orders")
    db["values"].pop("publicly_accessible")
    change = next(c for c in doc["resource_changes"] if c["address"] == "aws_db_instance.orders")
    change["change"]["after_unknown"]["publicly_accessible"] = True
    change["change"]["after"].pop("publicly_accessible")
    block = next(r for r in doc["configuration"]["root_module"]["resources"] if r["address"] == "aws_db_instance.orders")
    block["expressions"]["publicly_accessible"] = {"references": ["aws_vpc.trading.enable_dns_support", "aws_vpc.trading"]}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc))
    source = open_source(path)
    assert source.unknown["aws_db_instance.orders"] == {"publicly_accessible": "known only after apply"}
    assert next(r for r in source.resources if r.address == "aws_db_instance.orders").values["publicly_accessible"] is None


@pytest.mark.parametrize("mutate,expected", [
    (lambda d: d.update(format_version="2.0"), "format_version '2.0' is not supported"),
    (lambda d: d.pop("planned_values"), "needs planned_values"),
    (lambda d: d["planned_values"]["root_module"].update(resources=[{"type": "aws_vpc"}]), "needs address, type and name"),
])
def test_bad_plans_exit_2_naming_the_file(cli, tmp_path: Path, mutate, expected: str) -> None:
    doc = json.loads((PLANS / "tier4-compliant.plan.json").read_text())
    mutate(doc)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc))
    run = cli("scan", path, "--tier", "4")
    assert run.code == 2 and str(path) in run.err and expected in run.err, run.err
    assert len(run.err.strip().splitlines()) == 1


@pytest.mark.parametrize("text,expected", [
    ('{"format_version": "1.2", "planned_values": {', "not valid JSON"),
    ('{"hello": "world"}', "neither a Terraform plan"),
    ("[1, 2]", "neither a Terraform plan"),
])
def test_json_that_is_not_a_source_exits_2(cli, tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "input.json"
    path.write_text(text)
    run = cli("scan", path, "--tier", "4")
    assert run.code == 2 and str(path) in run.err and expected in run.err, run.err


def test_set_blocks_get_their_own_references_whatever_their_order_in_the_plan(tmp_path: Path) -> None:
    # Terraform orders a set's elements by hash, not as written: here the configuration lists the
    # references as priority 10 (block_known_bad) then 20 (ips), and the plan holds them reversed.
    doc = json.loads((PLANS / "tier1-compliant.plan.json").read_text())
    address = "aws_networkfirewall_firewall_policy.trading"
    change = next(c for c in doc["resource_changes"] if c["address"] == address)["change"]
    change["after"]["firewall_policy"][0]["stateful_rule_group_reference"].reverse()
    planned = next(r for r in doc["planned_values"]["root_module"]["resources"] if r["address"] == address)
    planned["values"]["firewall_policy"][0]["stateful_rule_group_reference"].reverse()
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc))
    policy = next(r for r in open_source(path).resources if r.address == address)
    refs = {b["priority"]: b["resource_arn"] for b in policy.values["firewall_policy"][0]["stateful_rule_group_reference"]}
    assert refs == {10: "aws_networkfirewall_rule_group.block_known_bad.id", 20: "aws_networkfirewall_rule_group.ips.id"}
