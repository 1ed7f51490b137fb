"""CI integrations: the pre-commit hook, the composite GitHub Action, the workflow and GitLab examples.

Each file loads as YAML with the keys its host requires, and the commands they run are run here, with
this checkout's installed brokerguard, on a bundled example.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, REPO

BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A repository as the examples expect it: Terraform in infra/ and brokerguard.yaml at the top."""
    shutil.copytree(EXAMPLES / "nonc-alb-without-waf", tmp_path / "infra")
    shutil.copy(REPO / "iac_examples" / "profiles" / "tier1.yaml", tmp_path / "brokerguard.yaml")
    return tmp_path


def waf_failures(report: Path) -> set[tuple[str, str]]:
    root = ET.parse(report).getroot()
    return {(c.get("name"), c.find("failure").get("type")) for c in root.iter("testcase")
            if c.get("classname") == "CC-17010.waf" and c.find("failure") is not None and c.get("file")}


def test_pre_commit_hook_runs_and_fails_closed(workspace: Path) -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "brokerguard")
    assert {"id", "name", "entry", "language"} <= set(hook) and hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert re.search(hook["files"], "infra/main.tf") and not re.search(hook["files"], "README.md")
    proc = subprocess.run([*shlex.split(hook["entry"]), *hook["args"]], cwd=workspace, env=ENV,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert "CKV2_TWB_001 FAILED: aws_lb.web (infra/main.tf:18)" in proc.stdout


@pytest.mark.parametrize(("staged", "code"), [
    (["infra/main.tf"], 1),  # the load balancer without WAF is declared in a staged file
    (["brokerguard.yaml"], 0),  # only the profile: evidence is reported, never gating under --gate infrastructure
])
def test_pre_commit_staged_variant_gates_on_the_staged_files(workspace: Path, staged: list[str], code: int) -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "brokerguard-staged")
    assert hook["pass_filenames"] is True and hook["args"][-1] == "--" and hook["language"] == "python"
    # pre-commit runs entry + args + the staged file names
    proc = subprocess.run([*shlex.split(hook["entry"]), *hook["args"], *staged], cwd=workspace, env=ENV,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == code, proc.stdout + proc.stderr
    mark = "CKV2_TWB_001 FAILED: aws_lb.web" if code else "CKV2_TWB_001 FAILED (not in the changed files): aws_lb.web"
    assert mark in proc.stdout


def test_action_declares_its_inputs_and_runs_as_composite() -> None:
    assert {"name", "description", "inputs", "outputs", "runs"} <= set(ACTION)
    assert ACTION["runs"]["using"] == "composite"
    for name, spec in ACTION["inputs"].items():
        assert spec.get("description"), name
    for step in ACTION["runs"]["steps"]:
        assert "uses" in step or step.get("shell") == "bash", step  # composite run steps need a shell
    used = set(re.findall(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", (REPO / "action.yml").read_text()))
    assert used == set(ACTION["inputs"])  # every input is used, and nothing undeclared is
    scan = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "scan")
    for output in ACTION["outputs"].values():
        assert re.fullmatch(r"\$\{\{ steps\.scan\.outputs\.[\w-]+ \}\}", output["value"])
        assert f"echo \"{output['value'].split('.')[-1].split()[0]}=" in scan["run"]


def run_action(workspace: Path, **inputs: str) -> tuple[subprocess.CompletedProcess, dict[str, str], Path]:
    """The Scan step as GitHub runs it: inputs substituted into its env, `bash -eo pipefail`."""
    scan = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "scan")
    values = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()} | inputs
    env = {k: re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: values[m.group(1)], v)
           for k, v in scan["env"].items()}
    outputs, summary = workspace / "github_output", workspace / "step_summary"
    script = workspace / "scan.sh"
    script.write_text(scan["run"])
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=workspace,
                          env={**ENV, **env, "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary)},
                          capture_output=True, text=True, timeout=300)
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines()) if outputs.exists() else {}
    return proc, written, summary


def test_action_command_line_gates_and_writes_the_reports(workspace: Path) -> None:
    proc, outputs, summary = run_action(workspace, path="infra", profile="brokerguard.yaml", **{"as-of": "2024-06-30"},
                                        formats="sarif,markdown,html,junitxml")
    assert proc.returncode == 1, proc.stderr
    assert outputs == {"exit-code": "1", "sarif": "brokerguard-reports/report.sarif"}
    sarif = json.loads((workspace / outputs["sarif"]).read_text())
    found = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
              r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in sarif["runs"][0]["results"]}
    # The load balancer without WAF, and no network firewall anywhere (a stack-level absence, shown at the
    # provider's declaration); and what this small stack lacks for tier 1: the RTO tag of its core systems,
    # GuardDuty, Security Hub, CloudTrail, findings routing, APT defence.
    provider = ("infra/main.tf", 4)
    assert found == {("CKV2_TWB_001", "infra/main.tf", 18), ("TWB_STACK_003", *provider),
                     ("CKV_TWB_036", "infra/main.tf", 18), ("CKV_TWB_036", "infra/main.tf", 26),
                     # the internal load balancer sits in literal subnets: their routing cannot be judged
                     ("TWB_STACK_001", "infra/main.tf", 26)} | {
        (f"TWB_STACK_0{n}", *provider) for n in (23, 24, 25, 27, 28, 29, 30)}
    # Evidence for antivirus, mail filtering and IDS/IPS is missing: configuration notifications at the profile.
    notes = sarif["runs"][0]["invocations"][0]["toolConfigurationNotifications"]
    assert {(n["descriptor"]["id"], n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for n in notes} == {
        (f"TWB_EVIDENCE.{c}", "brokerguard.yaml") for c in ("antivirus", "email-filtering", "ids-ips")}
    assert waf_failures(workspace / "brokerguard-reports" / "report.xml") == {("aws_lb.web", "CKV2_TWB_001")}
    assert "應辦控制未符合" in summary.read_text()
    assert (workspace / "brokerguard-reports" / "report.html").is_file()


def test_action_gate_and_baseline_inputs(workspace: Path) -> None:
    shutil.copy(REPO / "iac_examples" / "profiles" / "tier1.yaml", workspace / "profile.yaml")
    baseline = workspace / "baseline.json"
    made = subprocess.run(["brokerguard", "scan", "infra", "--profile", "profile.yaml", "--as-of", "2024-06-30",
                           "--create-baseline", str(baseline)], cwd=workspace, env=ENV, capture_output=True, text=True)
    assert made.returncode == 1 and baseline.is_file(), made.stderr
    proc, outputs, _ = run_action(workspace, path="infra", profile="profile.yaml", gate="infrastructure",
                                  baseline="baseline.json", **{"as-of": "2024-06-30"})
    assert proc.returncode == 0 and outputs["exit-code"] == "0", proc.stderr
    sarif = json.loads((workspace / outputs["sarif"]).read_text())
    assert {r["baselineState"] for r in sarif["runs"][0]["results"]} == {"unchanged"}


def test_action_reports_without_failing_when_asked_but_never_hides_input_errors(workspace: Path) -> None:
    proc, outputs, _ = run_action(workspace, path="infra", tier="1", **{"fail-on-findings": "false"})
    assert proc.returncode == 0 and outputs["exit-code"] == "1"
    proc, outputs, _ = run_action(workspace, path="no-such-dir", tier="1", **{"fail-on-findings": "false"})
    assert proc.returncode == 2 and outputs["exit-code"] == "2"
    assert "no-such-dir: no such file or directory" in proc.stderr


def test_github_workflow_uploads_the_actions_sarif() -> None:
    flow = yaml.safe_load((REPO / "docs" / "examples" / "github-workflow.yml").read_text(encoding="utf-8"))
    assert "on" in flow or True in flow  # YAML 1.1 reads the key `on` as true
    assert flow["permissions"]["security-events"] == "write"
    steps = flow["jobs"]["controls"]["steps"]
    ours = next(s for s in steps if s.get("id") == "brokerguard")
    assert set(ours["with"]) <= set(ACTION["inputs"])
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["if"] == "always()"
    assert upload["with"]["sarif_file"] == f"{ours['with']['output-dir']}/report.sarif"
    assert "sarif" in ours["with"]["formats"].split(",")


def test_gitlab_example_runs_and_its_junit_report_is_where_gitlab_looks(workspace: Path) -> None:
    job = yaml.safe_load((REPO / "docs" / "examples" / "gitlab-ci.yml").read_text(encoding="utf-8"))["brokerguard"]
    assert {"stage", "image", "script", "artifacts"} <= set(job)
    assert job["artifacts"]["when"] == "always"
    scan = next(line for line in job["script"] if line.startswith("brokerguard "))
    proc = subprocess.run([*shlex.split(scan), "--as-of", "2024-06-30"], cwd=workspace, env=ENV,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    junit = workspace / job["artifacts"]["reports"]["junit"]
    assert waf_failures(junit) == {("aws_lb.web", "CKV2_TWB_001")}
