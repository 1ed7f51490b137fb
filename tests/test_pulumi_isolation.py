"""A Pulumi program runs in a child process: it cannot end the scan, print into the report, hang it,
or reach the code that judges it; only the complete list of what it registered counts."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from conftest import REPO

PUBLIC_DB = REPO / "iac_examples" / "pulumi" / "nonc-public-core-db"


def _program(tmp_path: Path, body: str, name: str = "prog", **stacks: str) -> Path:
    root = tmp_path / name
    root.mkdir()
    (root / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n")
    (root / "__main__.py").write_text(textwrap.dedent(body))
    for stack, text in stacks.items():
        (root / f"Pulumi.{stack}.yaml").write_text(textwrap.dedent(text))
    return root


def _one_line(run) -> str:
    assert "Traceback" not in run.err, run.err
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    assert lines[0].startswith("brokerguard: error: ")
    return lines[0]


def _failed(doc: dict) -> set[tuple[str, str]]:
    return {(f["check_id"], f["resource"]) for c in doc["controls"] for f in c["findings"] if f["result"] == "failed"}


ENDINGS = {
    "loops": ("while True:\n    pass\n", "the program did not finish under mocks within 3 s"),
    "thread": ("import threading, time\nimport pulumi_aws as aws\naws.ec2.Vpc('v', cidr_block='10.0.0.0/16')\n"
               "threading.Thread(target=time.sleep, args=(10**6,), name='late-db').start()\n",
               "the program left thread 'late-db' running after it ended; what it declares is not complete"),
    "os-exit": ("import os\nimport pulumi_aws as aws\naws.ec2.Vpc('v', cidr_block='10.0.0.0/16')\nos._exit(0)\n",
                "the program ended without reporting its resources (the child exited with status 0)"),
    "signal": ("import os, signal, sys\nprint('bye', file=sys.stderr, flush=True)\nos.kill(os.getpid(), signal.SIGKILL)\n",
               "the program ended without reporting its resources (the child was killed by SIGKILL; "
               "its last error output: bye)"),
    "keyboard-interrupt": ("raise KeyboardInterrupt\n", "the Pulumi program raised KeyboardInterrupt (at "),
    "base-exception": ("class Stop(BaseException):\n    pass\nraise Stop('no more')\n",
                       "the Pulumi program raised Stop: no more (at "),
    "forged-result": ("import os, sys\nopen(sys.argv[2], 'w').write('{\"records\": {\"x\": {}}, \"order\": [\"x\"]}')\n"
                      "os._exit(0)\n", "the program under mocks reported a malformed resource list"),
    "sys-exit": ("import sys\nsys.exit(0)\n", "the program exited (status 0) before declaring its stack"),
}


@pytest.mark.parametrize("case", sorted(ENDINGS))
def test_any_way_the_program_ends_early_is_exit_2_with_a_report_saying_so(cli, tmp_path: Path, case: str) -> None:
    body, expected = ENDINGS[case]
    root = _program(tmp_path, body)
    out = tmp_path / "report.json"
    limit = "3" if case == "loops" else "300"  # the others must end by themselves, however loaded the machine
    run = cli("scan", root, "--tier", "4", "--timeout", limit, "--format", "json", "--output", out)
    assert run.code == 2, (run.code, run.err)
    line = _one_line(run)
    assert line.startswith(f"brokerguard: error: {root / '__main__.py'}: "), line
    assert expected in line, line
    assert run.out == ""


def test_a_program_that_patches_brokerguard_changes_no_verdict(cli, tmp_path: Path) -> None:
    patch = ("import brokerguard.policies.resource_conf as rc\nimport brokerguard.scan as scan\n"
             "rc.is_core = lambda tags: False\nscan.ScanResult.exit_code = property(lambda self: 0)\n")
    root = _program(tmp_path, patch + (PUBLIC_DB / "__main__.py").read_text(), name="patcher")
    run = cli("scan", root, "--tier", "1", "--format", "json")
    assert run.code == 1
    assert ("CKV_TWB_003", "aws_db_instance.settlement") in _failed(run.json)
    assert run.control("firewall")["status"] == "fail"


def test_what_the_program_prints_stays_out_of_the_report(cli, tmp_path: Path) -> None:
    noisy = ("import sys\nprint('{\"summary\": {\"passed\": true}}')\nprint('PASSED', file=sys.stderr)\n"
             "sys.stdout.write('x' * 100000)\n")
    root = _program(tmp_path, noisy + (PUBLIC_DB / "__main__.py").read_text(), name="noisy")
    run = cli("scan", root, "--tier", "1", "--format", "json")
    assert run.code == 1
    assert run.json["summary"]["passed"] is False  # stdout is the report alone: it parses whole
    assert "PASSED" not in run.err and run.err == ""


def test_a_resource_created_in_apply_on_an_unknown_is_not_inspectable(cli, tmp_path: Path) -> None:
    body = """\
    import pulumi_aws as aws
    vpc = aws.ec2.Vpc("main", cidr_block="10.0.0.0/16")
    sg = aws.ec2.SecurityGroup("db", vpc_id=vpc.id)
    policy = sg.arn.apply(lambda arn: '{"Resource": "%s"}' % arn)  # no resource: fine
    vpc.default_route_table_id.apply(lambda rt: aws.rds.Instance(
        "hidden", engine="postgres", instance_class="db.t3.micro", publicly_accessible=True))
    """
    root = _program(tmp_path, body, name="in-apply")
    out = tmp_path / "report.json"
    run = cli("scan", root, "--tier", "4", "--format", "json", "--output", out)
    assert run.code == 2
    line = _one_line(run)
    assert (f"{root / '__main__.py'}: not inspectable: aws:rds/instance:Instance 'hidden' is created at "
            f"{root / '__main__.py'}:5 inside apply() on a value unknown under mocks") in line, line


def test_data_sources_answer_and_looked_up_subnets_cannot_pass(cli, tmp_path: Path) -> None:
    body = """\
    import pulumi_aws as aws
    zones = aws.get_availability_zones(state="available")
    ami = aws.ec2.get_ami(most_recent=True, owners=["amazon"],
                          filters=[aws.ec2.GetAmiFilterArgs(name="name", values=["al2023-ami-*"])])
    me = aws.get_caller_identity()
    region = aws.get_region()
    partition = aws.get_partition()
    assert len(zones.names) >= 2 and ami.id.startswith("ami-") and me.account_id.isdigit()
    assert region.name and partition.partition == "aws"
    import json
    policy = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
        actions=["s3:GetObject"], resources=["*"])])
    assert json.loads(policy.json)["Statement"][0]["Action"] == ["s3:GetObject"]
    zone = aws.route53.get_zone(name="example.com")
    assert zone.name == "example.com." and zone.zone_id
    default = aws.ec2.get_vpc(default=True)
    subnets = aws.ec2.get_subnets(filters=[aws.ec2.GetSubnetsFilterArgs(name="vpc-id", values=[default.id])])
    aws.ec2.Instance("ledger", ami=ami.id, instance_type="m6i.large", subnet_id=subnets.ids[0],
                     tags={"twb:system": "ledger", "twb:class": "core", "twb:confidentiality": "high",
                           "twb:integrity": "high", "twb:availability": "high", "twb:legal-compliance": "high"})
    """
    root = _program(tmp_path, body, name="lookups")
    run = cli("scan", root, "--tier", "4", "--format", "json")
    assert run.code == 1, run.err
    firewall = run.control("firewall")
    assert firewall["status"] == "fail"
    assert run.json["summary"]["resources"] == 1  # lookups are not resources of the stack
    ledger = [f for f in firewall["findings"] if f["resource"] == "aws_instance.ledger" and f["result"] == "failed"]
    assert ledger and any("cannot judge" in f["message"] for f in ledger), firewall["findings"]


def test_default_stack_is_dev_and_reads_pulumi_dev_yaml(cli, tmp_path: Path) -> None:
    body = """\
    import pulumi, pulumi_aws as aws
    public = pulumi.Config().require_bool("public")
    aws.rds.Instance("settlement", engine="postgres", instance_class="db.m6i.large", publicly_accessible=public,
                     tags={"twb:system": "settlement", "twb:class": "core", "twb:confidentiality": "high",
                           "twb:integrity": "high", "twb:availability": "high", "twb:legal-compliance": "high"})
    """
    root = _program(tmp_path, body, name="stacks", dev="config:\n  stacks:public: true\n",
                    prod="config:\n  stacks:public: false\n")
    default = cli("scan", root, "--tier", "4", "--format", "json")
    prod = cli("scan", root, "--tier", "4", "--format", "json", "--stack", "prod")
    assert ("CKV_TWB_003", "aws_db_instance.settlement") in _failed(default.json)
    assert ("CKV_TWB_003", "aws_db_instance.settlement") not in _failed(prod.json)
    assert default.json["sources"][0]["kind"] == "pulumi-program"
    (root / "Pulumi.dev.yaml").unlink()
    run = cli("scan", root, "--tier", "4", "--format", "json")
    assert run.code == 2
    assert _one_line(run) == (f"brokerguard: error: {root}: no Pulumi.dev.yaml for the default stack, and the program "
                              "has stack settings for prod: pass --stack NAME")
    assert json.loads(prod.out)["summary"]["exit_code"] == prod.code


# --- stack exports and previews: what is deployed, or will be -----------------------------------

PULUMI = REPO / "iac_examples" / "pulumi"


def _changed(tmp_path: Path, name: str, mutate) -> Path:
    doc = json.loads((PULUMI / name).read_text())
    mutate(doc)
    out = tmp_path / name
    out.write_text(json.dumps(doc))
    return out


def _orders(resources: list) -> dict:
    return next(r for r in resources if r["urn"].endswith("::aws:rds/instance:Instance::orders"))


def test_an_export_is_judged_by_what_is_deployed_and_drift_is_reported(cli, tmp_path: Path) -> None:
    def opened_by_hand(doc: dict) -> None:
        _orders(doc["deployment"]["resources"])["outputs"]["publiclyAccessible"] = True  # inputs still say false

    plain = cli("scan", PULUMI / "tier4-compliant.export.json", "--tier", "4", "--format", "json")
    export = _changed(tmp_path, "tier4-compliant.export.json", opened_by_hand)
    run = cli("scan", export, "--tier", "4", "--format", "json")
    assert ("CKV_TWB_003", "aws_db_instance.orders") not in _failed(plain.json)
    assert ("CKV_TWB_003", "aws_db_instance.orders") in _failed(run.json)
    assert run.json["notes"] == ["urn:pulumi:dev::tier4-compliant::aws:rds/instance:Instance::orders: publiclyAccessible "
                                 "is true deployed but false declared (judged as deployed)"]
    assert plain.json["notes"] == []
    out = tmp_path / "reports"
    cli("scan", export, "--tier", "4", "--format", "sarif,markdown,html", "--output-dir", out)
    sarif = json.loads((out / "report.sarif").read_text())["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in sarif if n["descriptor"]["id"] == "brokerguard.drift"] == run.json["notes"]
    zh = "aws:rds/instance:Instance::orders：publiclyAccessible 部署值為 true，宣告值為 false（以部署值判定）"
    assert zh in (out / "report.md").read_text() and zh in (out / "report.html").read_text()


BROKEN_STATES = {
    "pending": ("tier4-compliant.export.json",
                lambda d: d["deployment"].update(pending_operations=[
                    {"resource": _orders(d["deployment"]["resources"]), "type": "updating"}]),
                "1 pending operation(s) (updating of urn:pulumi:dev::tier4-compliant::aws:rds/instance:Instance::orders): "
                "an update was interrupted and the state may not match what is deployed (hint: pulumi refresh"),
    "error-diagnostic": ("tier4-compliant.preview.json",
                         lambda d: d.update(diagnostics=[{"message": "error: creating RDS instance:\n  quota exceeded",
                                                          "severity": "error"}]),
                         "the preview reported 1 error(s), so its steps are not the whole stack: error: creating RDS "
                         "instance: quota exceeded"),
    "create-without-new-state": ("tier4-compliant.preview.json",
                                 lambda d: d["steps"][2].pop("newState"),
                                 "steps[2] (create of urn:pulumi:dev::tier4-compliant::aws:ec2/vpc:Vpc::main) has no "
                                 "newState: what it creates cannot be seen"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_STATES))
def test_states_that_do_not_show_the_whole_stack_are_exit_2(cli, tmp_path: Path, case: str) -> None:
    name, mutate, expected = BROKEN_STATES[case]
    source = _changed(tmp_path, name, mutate)
    out = tmp_path / "report.json"
    run = cli("scan", source, "--tier", "4", "--format", "json", "--output", out)
    assert run.code == 2
    assert _one_line(run).startswith(f"brokerguard: error: {source}: {expected}"), run.err
    assert json.loads(out.read_text())["summary"] == {"passed": False, "exit_code": 2}


def test_a_program_that_rewrites_brokerguard_on_disk_changes_no_verdict(tmp_path: Path) -> None:
    """What judges (checks, the Pulumi-to-Terraform mapping, the report formats) is loaded before the
    program runs: rewriting brokerguard's files from the program changes nothing in this scan."""
    import subprocess
    import sys

    mapping = REPO / "providers" / "pulumi" / "aws_mapping.json"
    check = next((REPO / "policies" / "checkov").glob("CKV_TWB_003_*.py"))
    sarif = REPO / "brokerguard" / "report" / "sarif.py"
    saved = {p: p.read_bytes() for p in (mapping, check, sarif)}
    rewrite = (f"import json, pathlib\nm = pathlib.Path({str(mapping)!r})\nd = json.loads(m.read_text())\n"
               "d['resources'].pop('aws:rds/instance:Instance')\nm.write_text(json.dumps(d))\n"
               f"pathlib.Path({str(check)!r}).write_text('raise SystemExit(0)\\n')\n"
               f"pathlib.Path({str(sarif)!r}).write_text('def render(view):\\n    return \"{{}}\"\\n')\n")
    root = _program(tmp_path, rewrite + (PUBLIC_DB / "__main__.py").read_text(), name="rewriter")
    try:
        proc = subprocess.run([sys.executable, "-m", "brokerguard", "scan", str(root), "--tier", "1", "--format",
                               "json,sarif", "--output-dir", str(tmp_path / "out")],
                              cwd=REPO, capture_output=True, text=True, timeout=600)
    finally:
        for path, data in saved.items():
            path.write_bytes(data)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads((tmp_path / "out" / "report.json").read_text())
    assert ("CKV_TWB_003", "aws_db_instance.settlement") in _failed(doc)
    results = json.loads((tmp_path / "out" / "report.sarif").read_text())["runs"][0]["results"]
    assert any(r["ruleId"] == "CKV_TWB_003" for r in results)


def test_a_program_that_rewrites_another_input_of_the_scan_is_exit_2(cli, tmp_path: Path) -> None:
    import shutil

    tree = tmp_path / "infra"
    shutil.copytree(REPO / "iac_examples" / "terraform" / "nonc-public-core-db", tree)
    main_tf = tree / "main.tf"
    fix = (f"import pathlib\np = pathlib.Path({str(main_tf)!r})\n"
           "p.write_text(p.read_text().replace('publicly_accessible    = true', 'publicly_accessible    = false'))\n")
    root = _program(tmp_path, fix, name="fixer")
    run = cli("scan", tree, root, "--tier", "1", "--format", "json")
    assert run.code == 2
    assert _one_line(run) == (f"brokerguard: error: {main_tf}: changed while the Pulumi program {root} of this scan ran; "
                              "what was given cannot be judged")
