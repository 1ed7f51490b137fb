"""Pulumi sources: translation to Terraform's plan shape, the same statuses as the Terraform twins,
input errors, unmapped types and values Pulumi does not know."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import time
from pathlib import Path

import pytest

from brokerguard.catalog import load_catalog
from brokerguard.errors import InputError
from brokerguard.profile import load_profile
from brokerguard.providers.pulumi.model import SECRET_SIG, PulumiResource, PulumiStack
from brokerguard.providers.pulumi.translate import mapping, translate
from brokerguard.scan import open_source, scan
from conftest import EXAMPLES, FIXTURES, REPO

pytest.importorskip("pulumi_aws")

PULUMI = REPO / "iac_examples" / "pulumi"
PROFILES = REPO / "iac_examples" / "profiles"
PFIX = FIXTURES / "pulumi"
AS_OF = dt.date(2024, 6, 30)
TWINS = [("tier1-compliant", "tier1"), ("tier4-compliant", "tier4"), ("nonc-alb-without-waf", "tier1"),
         ("nonc-missing-classification", "tier1"), ("nonc-public-core-db", "tier1")]


def _urn(token: str, name: str) -> str:
    return f"urn:pulumi:dev::t::{token}::{name}"


def _res(token: str, name: str, inputs: dict, **kw) -> PulumiResource:
    return PulumiResource(urn=_urn(token, name), type=token, name=name, inputs=inputs, **kw)


def _statuses(result) -> dict[str, str]:
    return {r.control.id: r.status.value for r in result.results}


def _findings(result) -> set[tuple[str, str, bool]]:
    return {(j.finding.check_id, j.finding.resource, j.finding.passed) for r in result.results for j in r.findings}


# --- translation on its own ---------------------------------------------------------------------

def test_renames_plural_blocks_and_single_objects() -> None:
    igw = _res("aws:ec2/internetGateway:InternetGateway", "igw", {}, outputs={"id": "igw-1"})
    stack = PulumiStack(origin="x", kind="export", resources=[
        igw,
        _res("aws:ec2/routeTable:RouteTable", "rt", {"routes": [{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"}]}),
        _res("aws:lb/loadBalancer:LoadBalancer", "lb", {"subnetMappings": [{"subnetId": "s-1"}], "internal": False}),
        _res("aws:ec2/instance:Instance", "vm",
             {"rootBlockDevice": {"volumeSize": 8}, "networkInterfaces": [{"deviceIndex": 0}]}),
        _res("aws:apigateway/stage:Stage", "st", {"restApi": "api-1", "deployment": "dep-1", "stageName": "prod"}),
        _res("aws:rds/instance:Instance", "db", {"publiclyAccessible": True, "tags": {"twb:class": "core", "camelCase": "x"}}),
    ])
    t = translate(stack)
    by = {r.address: r for r in t.resources}
    assert set(by) == {"aws_internet_gateway.igw", "aws_route_table.rt", "aws_lb.lb", "aws_instance.vm",
                       "aws_api_gateway_stage.st", "aws_db_instance.db"}
    assert by["aws_route_table.rt"].values["route"] == [{"cidr_block": "0.0.0.0/0", "gateway_id": "aws_internet_gateway.igw.id"}]
    assert by["aws_lb.lb"].values["subnet_mapping"] == [{"subnet_id": "s-1"}]
    assert by["aws_instance.vm"].values["root_block_device"] == [{"volume_size": 8}]  # object -> one-element list
    assert by["aws_instance.vm"].values["network_interface"] == [{"device_index": 0}]
    assert by["aws_api_gateway_stage.st"].values == {"rest_api_id": "api-1", "deployment_id": "dep-1", "stage_name": "prod"}
    assert by["aws_db_instance.db"].values["tags"] == {"twb:class": "core", "camelCase": "x"}  # map keys untouched
    # the reference from a nested block survives, in the plan's configuration too
    assert by["aws_route_table.rt"].references == {"aws_internet_gateway.igw"}
    conf = {r["address"]: r for r in t.plan["configuration"]["root_module"]["resources"]}
    assert "aws_internet_gateway.igw" in conf["aws_route_table.rt"]["expressions"]["route"][0]["gateway_id"]["references"]


def test_waf_association_still_points_at_its_load_balancer() -> None:
    lb = _res("aws:lb/loadBalancer:LoadBalancer", "web", {"internal": False},
              outputs={"id": "lb-1", "arn": "arn:aws:elasticloadbalancing:ap-northeast-1:1:loadbalancer/app/web/1"})
    acl = _res("aws:wafv2/webAcl:WebAcl", "acl", {"scope": "REGIONAL"}, outputs={"arn": "arn:aws:wafv2:x:1:regional/webacl/a/1"})
    assoc = _res("aws:wafv2/webAclAssociation:WebAclAssociation", "assoc",
                 {"resourceArn": lb.outputs["arn"], "webAclArn": acl.outputs["arn"]})
    t = translate(PulumiStack(origin="x", kind="export", resources=[lb, acl, assoc]))
    conf = {r["address"]: r for r in t.plan["configuration"]["root_module"]["resources"]}
    references = conf["aws_wafv2_web_acl_association.assoc"]["expressions"]["resource_arn"]["references"]
    assert references == ["aws_lb.web.arn", "aws_lb.web"]


def test_mapping_covers_every_type_the_policies_name() -> None:
    text = "".join(p.read_text() for p in (REPO / "policies").rglob("*")
                   if p.suffix in (".py", ".yaml") and p.name != "catalog.yaml")
    named = set(re.findall(r"\baws_[a-z0-9_]+\b", text)) - {"aws_wafv2_web_acl_"}
    mapped = {row["terraform_type"] for row in mapping()["resources"].values()}
    assert named - mapped == set()
    assert mapping()["resources"]["aws:rds/instance:Instance"]["terraform_type"] == "aws_db_instance"
    assert "bridge-metadata.json" in json.dumps(mapping()["_sources"])


# --- same statuses as the Terraform twins ---------------------------------------------------------

@pytest.mark.parametrize("example,profile", TWINS)
def test_program_matches_its_terraform_twin(example: str, profile: str) -> None:
    catalog = load_catalog()
    prof = load_profile(PROFILES / f"{profile}.yaml", catalog)
    tf = scan([EXAMPLES / example], prof, AS_OF, catalog)
    started = time.monotonic()
    pu = scan([PULUMI / example], prof, AS_OF, catalog)
    assert time.monotonic() - started < 30
    assert _statuses(pu) == _statuses(tf)
    assert _findings(pu) == _findings(tf)  # the same rule ids fire on the same resources
    assert pu.unmapped_types == ()


@pytest.mark.parametrize("name", ["tier4-compliant.export.json", "tier4-compliant.preview.json"])
def test_export_and_preview_match_the_terraform_twin(name: str) -> None:
    catalog = load_catalog()
    prof = load_profile(PROFILES / "tier4.yaml", catalog)
    tf = scan([EXAMPLES / "tier4-compliant"], prof, AS_OF, catalog)
    pu = scan([PULUMI / name], prof, AS_OF, catalog)
    assert _statuses(pu) == _statuses(tf)


def test_findings_name_the_program_file_and_line_and_urn() -> None:
    src = open_source(PULUMI / "nonc-public-core-db")
    file, line, urn = src.locations["aws_db_instance.settlement"]
    assert file.endswith("nonc-public-core-db/__main__.py")
    assert "aws.rds.Instance(\"settlement\"" in Path(file).read_text().splitlines()[line - 1]
    assert urn == "urn:pulumi:dev::nonc-public-core-db::aws:rds/instance:Instance::settlement"


def test_sources_are_recognised_by_content(tmp_path: Path) -> None:
    assert open_source(PULUMI / "tier1-compliant").kind == "pulumi-program"
    for name, kind in (("tier4-compliant.export.json", "pulumi-export"), ("tier4-compliant.preview.json", "pulumi-preview")):
        renamed = tmp_path / "state.txt"  # the content decides, not the name
        renamed.write_text((PULUMI / name).read_text())
        assert open_source(renamed).kind == kind
    assert open_source(EXAMPLES / "tier1-compliant").kind == "terraform"


def test_cli_scans_a_pulumi_program(cli) -> None:
    pulumi = REPO / "iac_examples" / "pulumi" / "nonc-public-core-db"
    run = cli("scan", pulumi, "--profile", PROFILES / "tier1.yaml", "--as-of", "2024-06-30", "--format", "json")
    assert run.code == 1
    assert run.json["sources"] == [{"path": str(pulumi), "kind": "pulumi-program"}]
    failed = {(f["check_id"], f["resource"]) for f in run.control("firewall")["findings"] if f["result"] == "failed"}
    assert ("CKV_TWB_003", "aws_db_instance.settlement") in failed


def test_a_part_that_cannot_be_inspected_is_never_a_pass(cli, tmp_path: Path) -> None:
    program = PFIX / "remote-component"
    out = tmp_path / "report.json"
    run = cli("scan", program, "--tier", "4", "--as-of", "2024-06-30", "--format", "json", "--output", out)
    assert run.code == 2
    report = json.loads(out.read_text())
    assert report["summary"]["exit_code"] == 2 and report["summary"]["passed"] is False
    assert report["not_inspectable"] == [
        "urn:pulumi:dev::remote-component::awsx:ec2:Vpc::trading "
        "(awsx:ec2:Vpc: a multi-language component creates no resources under mocks)"]


# --- input errors: one line, never a pass ------------------------------------------------------

@pytest.mark.parametrize("path,expected", [
    (PFIX / "raises", r"__main__\.py: the Pulumi program raised ValueError: subnet plan is missing \(at .*__main__\.py:4\)"),
    (PFIX / "truncated.export.json", r"truncated\.export\.json:\d+: not valid JSON"),
    (PFIX / "unknown-version.preview.json", r"unknown-version\.preview\.json: .*version 9 is not supported"),
])
def test_bad_sources_are_one_line_input_errors(path: Path, expected: str) -> None:
    with pytest.raises(InputError) as err:
        open_source(path)
    assert re.search(expected, str(err.value)), str(err.value)
    assert "\n" not in str(err.value)


# --- unmapped types and unknown values --------------------------------------------------------

def _export(tmp_path: Path, mutate) -> Path:
    doc = json.loads((PULUMI / "tier4-compliant.export.json").read_text())
    mutate(doc["deployment"]["resources"])
    out = tmp_path / "export.json"
    out.write_text(json.dumps(doc))
    return out


def test_an_unmapped_type_is_kept_and_listed(tmp_path: Path) -> None:
    path = _export(tmp_path, lambda rs: rs.append({
        "urn": "urn:pulumi:dev::tier4-compliant::aws:memorydb/cluster:Cluster::cache", "custom": True, "id": "c-1",
        "type": "aws:memorydb/cluster:Cluster", "inputs": {"nodeType": "db.r6g.large"}, "outputs": {}}))
    catalog = load_catalog()
    result = scan([path], load_profile(PROFILES / "tier4.yaml", catalog), AS_OF, catalog)
    assert result.unmapped_types == ("aws:memorydb/cluster:Cluster",)
    assert any(r.type == "aws:memorydb/cluster:Cluster" and r.source_id.endswith("::cache") for r in result.resources)


def test_a_secret_a_check_needs_is_cannot_judge_never_a_pass(tmp_path: Path) -> None:
    def secret_flag(rs: list) -> None:
        db = next(r for r in rs if r["type"] == "aws:rds/instance:Instance")
        secret = {SECRET_SIG: "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "v1:x"}
        db["inputs"]["publiclyAccessible"] = db["outputs"]["publiclyAccessible"] = secret  # deployed is judged
    catalog = load_catalog()
    result = scan([_export(tmp_path, secret_flag)], load_profile(PROFILES / "tier4.yaml", catalog), AS_OF, catalog)
    found = [j.finding for r in result.results for j in r.findings
             if j.finding.check_id == "CKV_TWB_003" and j.finding.resource == "aws_db_instance.orders"]
    assert found and not found[0].passed and "cannot judge: publicly_accessible (secret)" in found[0].message
    assert _statuses(result)["firewall"] == "fail"


def test_an_unknown_a_check_needs_is_cannot_judge(tmp_path: Path) -> None:
    doc = json.loads((PULUMI / "tier4-compliant.preview.json").read_text())
    for step in doc["steps"]:
        if step["newState"]["type"] == "aws:ec2/instance:Instance":
            step["newState"]["inputs"]["tags"] = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(doc))
    catalog = load_catalog()
    result = scan([path], load_profile(PROFILES / "tier4.yaml", catalog), AS_OF, catalog)
    assert any(not j.finding.passed and "cannot judge: tags" in j.finding.message
               for r in result.results for j in r.findings if j.finding.resource == "aws_instance.router")


def test_a_deleted_resource_is_not_part_of_the_future_stack(tmp_path: Path) -> None:
    doc = json.loads((PULUMI / "tier4-compliant.preview.json").read_text())
    gone = copy.deepcopy(next(s for s in doc["steps"] if s["newState"]["type"] == "aws:rds/instance:Instance"))
    gone["op"], gone["oldState"], gone["newState"] = "delete", gone["newState"], None
    gone["urn"] = gone["oldState"]["urn"] = gone["urn"].replace("::orders", "::old")
    doc["steps"].append(gone)
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(doc))
    addresses = {r.address for r in open_source(path).resources}
    assert "aws_db_instance.orders" in addresses and "aws_db_instance.old" not in addresses
