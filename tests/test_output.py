"""Where reports go: stdout, devices, FIFOs, symlinks; output errors are one line, exit 2, and leave
no partial report; a run that cannot be judged still writes a report saying so."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import jsonschema
import pytest

from conftest import EXAMPLES, FIXTURES, REPO

COMPLIANT = EXAMPLES / "tier4-compliant"
PASSING = ("--profile", REPO / "iac_examples" / "profiles" / "tier4.yaml", "--as-of", "2024-06-30")  # exit 0
PLAN = FIXTURES / "terraform_plan" / "nonc-public-core-db.plan.json"
SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def _one_line(run, *expected: str) -> str:
    assert run.code == 2, (run.code, run.err)
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.err, run.err
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


def test_dash_is_standard_output(cli) -> None:
    run = cli("scan", COMPLIANT, *PASSING, "--format", "json", "--output", "-")
    assert run.code == 0 and run.json["summary"]["passed"] is True


def test_a_device_node_is_written_as_it_is(cli, tmp_path: Path) -> None:
    node = tmp_path / "null"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # the null device's numbers, in our own folder
    except PermissionError:
        pytest.skip("making a device node needs root (CAP_MKNOD)")
    run = cli("scan", COMPLIANT, *PASSING, "--format", "json", "--output", node)
    assert run.code == 0 and run.err == ""
    assert stat.S_ISCHR(node.lstat().st_mode) and node.lstat().st_rdev == os.makedev(1, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


def test_a_fifo_gets_the_whole_report(cli, tmp_path: Path) -> None:
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    run = cli("scan", COMPLIANT, *PASSING, "--format", "json", "--output", fifo)
    reader.join(timeout=60)
    assert run.code == 0
    assert json.loads(got[0])["summary"]["passed"] is True
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_symlink_keeps_pointing_at_the_report(cli, tmp_path: Path) -> None:
    target = tmp_path / "reports" / "bg.json"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    run = cli("scan", COMPLIANT, *PASSING, "--format", "json", "--output", link)
    assert run.code == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text())["summary"]["passed"] is True


@pytest.mark.parametrize("which", ["plan", "tf", "profile"])
def test_output_naming_an_input_is_refused(cli, tmp_path: Path, which: str) -> None:
    tree = tmp_path / "infra"
    tree.mkdir()
    (tree / "main.tf").write_text((COMPLIANT / "main.tf").read_text())
    plan = tmp_path / "plan.json"
    plan.write_text(PLAN.read_text())
    profile = tmp_path / "profile.yaml"
    profile.write_text("tier: 4\n")
    path, victim = {"plan": (plan, plan), "tf": (tree, tree / "main.tf"), "profile": (tree, profile)}[which]
    before = victim.read_bytes()
    run = cli("scan", path, "--profile", profile, "--format", "json", "--output", victim)
    _one_line(run, f"brokerguard: error: {victim}: is an input of this scan", "write the report elsewhere")
    assert victim.read_bytes() == before and run.out == ""


def test_reports_beside_the_scanned_code_are_fine(cli, tmp_path: Path) -> None:
    """The Action scans "." into brokerguard-reports/: a report is not an input, even inside the tree."""
    tree = tmp_path / "infra"
    shutil.copytree(COMPLIANT, tree)
    for _ in range(2):  # the second run finds the first run's reports in the tree
        run = cli("scan", tree, *PASSING, "--format", "sarif,json", "--output-dir", tree / "brokerguard-reports")
        assert run.code == 0, run.err
    assert json.loads((tree / "brokerguard-reports" / "report.json").read_text())["summary"]["passed"] is True


def test_output_errors_are_one_line(cli, tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    cases = [
        (("--output", tmp_path), f"{tmp_path}: is a directory"),
        (("--output", "/proc/version"), "/proc/version: cannot write the report"),
        (("--output", "/proc/self/no-such-dir/report.json"), "cannot write the report"),
        (("--output-dir", a_file, "--format", "json,sarif"), f"{a_file}: --output-dir names a file, not a directory"),
    ]
    for args, expected in cases:
        run = cli("scan", COMPLIANT, "--tier", "4", *args)
        _one_line(run, expected)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"] and a_file.read_text() == "x"


def test_closed_stdout_is_exit_2_in_one_line() -> None:
    proc = subprocess.run([sys.executable, "-m", "brokerguard", "scan", str(COMPLIANT), "--tier", "4", "--format", "json"],
                          cwd=REPO, stderr=subprocess.PIPE, text=True, preexec_fn=lambda: os.close(1), timeout=300)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "brokerguard: error: standard output: closed, cannot write the report (give --output FILE)"


def test_the_command_exits_with_the_verdict_and_the_whole_report(tmp_path: Path) -> None:
    """`brokerguard` ends the process without tearing the interpreter down (cli.run): the exit code is
    the verdict's, the report reaches the pipe whole, and the scan's temporary copies are gone."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = subprocess.run([sys.executable, "-m", "brokerguard", "scan", str(EXAMPLES / "nonc-public-core-db"),
                           "--tier", "1", "--format", "json"], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "TMPDIR": str(tmp)}, timeout=300)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert "firewall" in report["summary"]["failing_controls"]
    assert not [p for p in tmp.iterdir() if p.name.startswith("brokerguard-")]  # (the parser keeps its grammar cache)


def test_a_write_failing_halfway_leaves_the_previous_reports(cli, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    (out / "report.json").write_text("previous\n")
    (out / "report.sarif").mkdir()  # the second format cannot be written
    run = cli("scan", COMPLIANT, "--tier", "4", "--format", "json,sarif,html", "--output-dir", out)
    _one_line(run, f"{out / 'report.sarif'}: is a directory")
    assert (out / "report.json").read_text() == "previous\n"
    assert sorted(p.name for p in out.iterdir()) == ["report.json", "report.sarif"]  # no temporary, no html


def test_exit_2_still_writes_reports_that_say_why(cli, tmp_path: Path) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text('{"format_version": "1.2", "planned_values": ')
    out = tmp_path / "reports"
    run = cli("scan", bad, "--tier", "1", "--format", "sarif,json,junitxml,markdown,html,cli", "--output-dir", out)
    line = _one_line(run, f"{bad}:1:", "not valid JSON")
    message = line.removeprefix("brokerguard: error: ")
    sarif = json.loads((out / "report.sarif").read_text())
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    invocation = sarif["runs"][0]["invocations"][0]
    assert sarif["runs"][0]["results"] == [] and invocation["executionSuccessful"] is False
    assert invocation["exitCode"] == 2
    assert [n["message"]["text"] for n in invocation["toolExecutionNotifications"]] == [message]
    doc = json.loads((out / "report.json").read_text())
    assert doc["error"] == message and doc["summary"] == {"passed": False, "exit_code": 2}
    assert 'errors="1"' in (out / "report.xml").read_text() and message in (out / "report.xml").read_text()
    assert "無法判定" in (out / "report.md").read_text() and message in (out / "report.md").read_text()
    assert "無法判定" in (out / "report.html").read_text()
    assert (out / "report.txt").read_text().startswith("NOT JUDGED")
    stdout = cli("scan", bad, "--tier", "1", "--format", "sarif")
    assert stdout.code == 2 and json.loads(stdout.out)["runs"][0]["results"] == []
