"""Property-based tests: whatever a plan, a stack export or a preview holds, brokerguard gives a valid
report (exit 0 or 1, or 2 with a report when part of the stack cannot be inspected) or one line
and exit 2; never a crash. And the same input gives byte-identical reports."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, FIXTURES, REPO

PULUMI = REPO / "iac_examples" / "pulumi"
REAL = {
    "plan": json.loads((FIXTURES / "terraform_plan" / "nonc-alb-without-waf.plan.json").read_text()),
    "export": json.loads((PULUMI / "tier4-compliant.export.json").read_text()),
    "preview": json.loads((PULUMI / "tier4-compliant.preview.json").read_text()),
}
STATUSES = {"pass", "fail", "attested", "waived", "evidence_missing", "not_applicable", "not_in_force", "error"}
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Values as JSON has them, with the strings a stack is made of: Pulumi's secret and unknown markers,
# Terraform addresses and references, the tag keys the checks read.
SPECIAL_STRINGS = st.sampled_from([
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270",
    "aws_lb.web", "aws_lb.web.arn", "module.net.aws_vpc.main", "twb:class", "core", "non-core", "0.0.0.0/0",
    "urn:pulumi:dev::p::aws:lb/loadBalancer:LoadBalancer::web", "", "1.2", "aws_instance", "${var.x}",
])
SCALARS = (st.none() | st.booleans() | st.integers(-2**63, 2**64) | st.floats(allow_nan=False) | st.text(max_size=20)
           | SPECIAL_STRINGS)
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=12) | SPECIAL_STRINGS, inner, max_size=4), max_leaves=12)


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a document where a value can be replaced or removed."""
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, prefix + (i,))
    return out


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> Any:
    """A real document with a few values replaced by arbitrary JSON, or removed."""
    doc = copy.deepcopy(REAL[kind])
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        if not path:
            doc = draw(JSON_VALUES)
            continue
        parent = doc
        try:
            for key in path[:-1]:
                parent = parent[key]
            if draw(st.booleans()) and isinstance(parent, dict):
                del parent[path[-1]]
            else:
                parent[path[-1]] = draw(JSON_VALUES)
        except (KeyError, IndexError, TypeError):  # an earlier mutation changed the shape under this path
            continue
    return doc


AWS_TYPES = ["aws:ec2/vpc:Vpc", "aws:ec2/instance:Instance", "aws:lb/loadBalancer:LoadBalancer",
             "aws:rds/instance:Instance", "aws:wafv2/webAclAssociation:WebAclAssociation",
             "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/subnet:Subnet", "aws:networkfirewall/firewall:Firewall",
             "pulumi:pulumi:Stack", "pulumi:providers:aws", "random:index/randomId:RandomId"]
PROPERTIES = st.dictionaries(
    st.sampled_from(["tags", "tagsAll", "publiclyAccessible", "associatePublicIpAddress", "internal", "subnetId",
                     "vpcId", "resourceArn", "loadBalancerType", "ingress", "cidrBlock", "vpcSecurityGroupIds"]),
    JSON_VALUES, max_size=5)


@st.composite
def pulumi_resources(draw: st.DrawFn) -> list[dict]:
    names = draw(st.lists(st.sampled_from(["web", "db", "main", "order", "fw", "a-b", "x.y"]), min_size=0, max_size=6))
    out = []
    for name in names:
        rtype = draw(st.sampled_from(AWS_TYPES))
        urn = f"urn:pulumi:dev::p::{rtype}::{name}"
        res = {"urn": urn, "type": rtype, "custom": draw(st.booleans()),
               "inputs": draw(PROPERTIES), "outputs": draw(PROPERTIES)}
        if out and draw(st.booleans()):
            res["dependencies"] = [draw(st.sampled_from([r["urn"] for r in out]))]
            res["propertyDependencies"] = {draw(st.sampled_from(["resourceArn", "subnetId", "vpcId"])): res["dependencies"]}
        if draw(st.booleans()):
            res["id"] = draw(st.text(max_size=10))
        out.append(res)
    return out


@st.composite
def exports(draw: st.DrawFn) -> dict:
    return {"version": draw(st.sampled_from([3, 4, 3, 2, "3"])), "deployment": {"resources": draw(pulumi_resources())}}


@st.composite
def previews(draw: st.DrawFn) -> dict:
    ops = st.sampled_from(["create", "update", "same", "delete", "replace", "create-replacement", "read", "refresh", "x"])
    return {"steps": [{"op": draw(ops), "urn": r["urn"], "newState": r} for r in draw(pulumi_resources())]}


TF_TYPES = ["aws_lb", "aws_instance", "aws_db_instance", "aws_wafv2_web_acl_association", "aws_vpc", "aws_subnet",
            "aws_security_group", "aws_networkfirewall_firewall", "aws_route_table", "null_resource"]


@st.composite
def plans(draw: st.DrawFn) -> dict:
    resources, configured, changes = [], [], []
    for i in range(draw(st.integers(0, 6))):
        rtype = draw(st.sampled_from(TF_TYPES))
        address = f"{rtype}.r{i}"
        values = draw(st.dictionaries(st.sampled_from(["tags", "tags_all", "publicly_accessible", "internal",
                                                       "subnet_id", "resource_arn", "load_balancer_type", "ingress",
                                                       "associate_public_ip_address", "vpc_id"]), JSON_VALUES, max_size=5))
        resources.append({"address": address, "mode": "managed", "type": rtype, "name": f"r{i}", "values": values})
        refs = [f"{r['address']}.arn" for r in resources[:-1]][-1:]
        configured.append({"address": address, "type": rtype, "name": f"r{i}",
                           "expressions": {"resource_arn": {"references": refs}}})
        changes.append({"address": address, "type": rtype, "name": f"r{i}",
                        "change": {"actions": ["create"], "after": values,
                                   "after_unknown": draw(st.dictionaries(st.sampled_from(["tags", "resource_arn", "id"]),
                                                                         st.booleans() | JSON_VALUES, max_size=2))}})
    return {"format_version": draw(st.sampled_from(["1.2", "0.1", "1.0", "2.0"])), "terraform_version": "1.9.0",
            "planned_values": {"root_module": {"resources": resources}}, "resource_changes": changes,
            "configuration": {"root_module": {"resources": configured}}}


def assert_report_or_one_line_error(run, path: Path) -> None:
    assert "Traceback" not in run.err
    if run.code == 2 and run.err:
        lines = run.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("brokerguard: error: "), run.err
        assert str(path) in lines[0], lines[0]
        # the JSON report on stdout says why, never a pass
        assert json.loads(run.out) == {**json.loads(run.out), "error": lines[0].removeprefix("brokerguard: error: "),
                                       "controls": [], "summary": {"passed": False, "exit_code": 2}}
        return
    assert run.code in (0, 1, 2), run.code
    report = json.loads(run.out)
    assert report["summary"]["exit_code"] == run.code
    assert len(report["controls"]) == 18
    assert {c["status"] for c in report["controls"]} <= STATUSES
    if run.code == 2:  # a report, but part of the stack could not be inspected: never a pass
        assert report["not_inspectable"] and not report["summary"]["passed"]


def _scan(cli, tmp_path: Path, doc: Any):
    path = tmp_path / "input.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path, cli("scan", path, "--tier", "1", "--as-of", "2024-06-30", "--format", "json")


@pytest.mark.parametrize("kind", sorted(REAL))
@SETTINGS
@given(data=st.data())
def test_mutated_documents_give_a_report_or_one_line(cli, tmp_path: Path, kind: str, data: st.DataObject) -> None:
    path, run = _scan(cli, tmp_path, data.draw(mutated(kind)))
    assert_report_or_one_line_error(run, path)


@pytest.mark.parametrize("strategy", [exports, previews, plans], ids=["export", "preview", "plan"])
@SETTINGS
@given(data=st.data())
def test_generated_documents_give_a_report_or_one_line(cli, tmp_path: Path, strategy: Any, data: st.DataObject) -> None:
    path, run = _scan(cli, tmp_path, data.draw(strategy()))
    assert_report_or_one_line_error(run, path)


def test_the_same_input_gives_byte_identical_reports(tmp_path: Path) -> None:
    """Two processes with different hash seeds (so set and dict orders differ) write the same bytes."""
    inputs = [EXAMPLES / "nonc-public-core-db", FIXTURES / "terraform_plan" / "nonc-alb-without-waf.plan.json",
              PULUMI / "tier4-compliant.export.json", PULUMI / "tier4-compliant.preview.json"]
    args = [*map(str, inputs), "--tier", "1", "--as-of", "2024-06-30",
            "--profile", str(REPO / "iac_examples" / "profiles" / "tier1.yaml")]
    formats = ("json", "cli")
    # One process per seed writes every format (Checkov's import is the slow part).
    script = ("import sys\nfrom brokerguard.cli import main\nargs, out = sys.argv[1:-1], sys.argv[-1]\n"
              f"codes = {{main(['scan', *args, '--format', f, '--output', f'{{out}}.{{f}}']) for f in {formats!r}}}\n"
              "sys.exit(codes.pop() if len(codes) == 1 else 99)\n")
    for seed in ("1", "2"):
        code = subprocess.run([sys.executable, "-c", script, *args, str(tmp_path / seed)], cwd=REPO, capture_output=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}, check=False).returncode
        assert code == 1
    for fmt in formats:
        assert (tmp_path / f"1.{fmt}").read_bytes() == (tmp_path / f"2.{fmt}").read_bytes(), fmt
    report = json.loads((tmp_path / "1.json").read_bytes())
    assert report["summary"]["resources"] > 30 and "firewall" in report["summary"]["failing_controls"]
    assert "FAIL" in (tmp_path / "1.cli").read_text()
