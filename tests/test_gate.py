"""The gate kept switched on: --gate, --soft-fail, --quiet, baselines and --changed-files set the exit code
as documented, and never change a control's status."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLES, REPO

PROFILES = REPO / "iac_examples" / "profiles"
AS_OF = "2024-06-30"
PUBLIC_DB = EXAMPLES / "nonc-public-core-db"


def scan(cli, path: Path, *args: object):
    return cli("scan", path, "--as-of", AS_OF, "--format", "json", *args)


def gate_states(run) -> dict[tuple[str, str], str]:
    return {(f["check_id"], f["resource"]): f["gate"] for c in run.json["controls"] for f in c["findings"]
            if f["result"] == "failed"}


@pytest.fixture
def stack(tmp_path: Path) -> Path:
    """A copy of the public-core-database example that a test may edit."""
    return Path(shutil.copytree(PUBLIC_DB, tmp_path / "stack"))


# --- gate modes ----------------------------------------------------------------------------------------

def test_evidence_only_failures_gate_all_but_not_infrastructure(cli) -> None:
    # tier1-compliant without a profile: the infrastructure holds, evidence is missing.
    everything = scan(cli, EXAMPLES / "tier1-compliant", "--tier", "1")
    infra = scan(cli, EXAMPLES / "tier1-compliant", "--tier", "1", "--gate", "infrastructure")
    assert everything.code == 1 and infra.code == 0, infra.out
    # Same statuses either way: the gate decides the exit code, not what is reported.
    assert everything.statuses() == infra.statuses()
    assert infra.statuses()["isms"] == "evidence_missing"
    assert infra.json["gate"]["failing_controls"]["isms"] == "evidence_only"
    assert infra.json["summary"]["exit_code"] == 0


def test_infrastructure_gate_still_fails_on_a_public_core_database(cli) -> None:
    run = scan(cli, PUBLIC_DB, "--tier", "3", "--gate", "infrastructure")
    assert run.code == 1
    assert run.json["gate"]["failing_controls"]["firewall"] == "gating"
    assert gate_states(run)[("CKV_TWB_003", "aws_db_instance.settlement")] == "gating"


def test_soft_fail_exits_0_on_failures_but_2_on_unreadable_input(cli, tmp_path: Path) -> None:
    assert scan(cli, PUBLIC_DB, "--tier", "3", "--soft-fail").code == 0
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "main.tf").write_text('resource "aws_s3_bucket" "x" {\n')
    run = scan(cli, broken, "--tier", "3", "--soft-fail")
    assert run.code == 2 and "main.tf" in run.err


def test_quiet_terminal_report_lists_only_failing_controls(cli) -> None:
    run = cli("scan", PUBLIC_DB, "--tier", "3", "--as-of", AS_OF, "--quiet")
    controls = [line.split()[:2] for line in run.out.splitlines() if line[:1].isupper() and "  " in line[:20]]
    shown = {c[1] for c in controls if len(c) == 2 and c[0] in ("PASS", "FAIL", "EVIDENCE_MISSING", "NOT_APPLICABLE")}
    assert "firewall" in shown and "isms" in shown
    assert "waf" not in shown  # passes at tier 3
    assert not any(line.startswith(("PASS ", "NOT_APPLICABLE")) for line in run.out.splitlines())
    loud = cli("scan", PUBLIC_DB, "--tier", "3", "--as-of", AS_OF)
    assert any(line.startswith("PASS ") for line in loud.out.splitlines())


# --- baseline ------------------------------------------------------------------------------------------

def test_baseline_round_trip_accepts_old_findings_and_fails_new_ones(cli, stack: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    first = scan(cli, stack, "--tier", "3", "--gate", "infrastructure", "--create-baseline", baseline)
    assert first.code == 1  # creating a baseline reports this run as it is
    entries = json.loads(baseline.read_text())["findings"]
    assert {"check_id": "CKV_TWB_003", "resource": "aws_db_instance.settlement"}.items() <= next(
        e for e in entries if e["check_id"] == "CKV_TWB_003").items()

    # The same stack, the database moved down the file: line numbers do not matter.
    main = stack / "main.tf"
    main.write_text("\n\n\n" + main.read_text())
    again = scan(cli, stack, "--tier", "3", "--gate", "infrastructure", "--baseline", baseline)
    assert again.code == 0, again.json["gate"]
    assert again.statuses()["firewall"] == "fail"  # still reported as it is
    assert gate_states(again)[("CKV_TWB_003", "aws_db_instance.settlement")] == "baselined"
    assert again.json["provenance"]["baseline"]["sha256"] == __import__("hashlib").sha256(baseline.read_bytes()).hexdigest()

    # A second public core database is a new finding: it fails the run, the accepted one does not.
    text = main.read_text()
    db = text[text.index('resource "aws_db_instance" "settlement"'):]
    main.write_text(text + "\n" + db.replace('"settlement"', '"ledger"', 1))
    new = scan(cli, stack, "--tier", "3", "--gate", "infrastructure", "--baseline", baseline)
    assert new.code == 1
    states = gate_states(new)
    assert states[("CKV_TWB_003", "aws_db_instance.ledger")] == "gating"
    assert states[("CKV_TWB_003", "aws_db_instance.settlement")] == "baselined"


def test_baseline_entry_no_longer_found_is_reported_fixed(cli, stack: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    scan(cli, stack, "--tier", "3", "--create-baseline", baseline)
    main = stack / "main.tf"
    main.write_text(main.read_text().replace("publicly_accessible    = true", "publicly_accessible    = false"))
    run = scan(cli, stack, "--tier", "3", "--gate", "infrastructure", "--baseline", baseline)
    fixed = {(e["check_id"], e["resource"]) for e in run.json["gate"]["baseline_fixed"]}
    assert ("CKV_TWB_003", "aws_db_instance.settlement") in fixed
    text = cli("scan", stack, "--tier", "3", "--as-of", AS_OF, "--baseline", baseline).out
    assert "FIXED       CKV_TWB_003 on aws_db_instance.settlement" in text


def test_changing_what_a_check_judged_makes_a_baselined_finding_new(cli, stack: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    scan(cli, stack, "--tier", "3", "--create-baseline", baseline)
    main = stack / "main.tf"
    # CKV_TWB_034 reads backup_retention_period: still too short, but not the value that was accepted.
    main.write_text(main.read_text().replace("allocated_storage      = 100",
                                             "allocated_storage      = 100\n  backup_retention_period = 2"))
    run = scan(cli, stack, "--tier", "3", "--gate", "infrastructure", "--baseline", baseline)
    states = gate_states(run)
    assert states[("CKV_TWB_034", "aws_db_instance.settlement")] == "gating"
    assert states[("CKV_TWB_003", "aws_db_instance.settlement")] == "baselined"  # reads what did not change
    assert ("CKV_TWB_034", "aws_db_instance.settlement") in {
        (e["check_id"], e["resource"]) for e in run.json["gate"]["baseline_changed"]}
    assert run.code == 1


@pytest.mark.parametrize(("content", "expected"), [
    ("{not json", "the baseline is not JSON (line 1"),
    ('{"findings": []}', "not a brokerguard baseline"),
    ('{"format": "brokerguard-baseline/1", "findings": {}}', "findings is not a list"),
    ('{"format": "brokerguard-baseline/1", "findings": [{"check_id": "CKV_TWB_003"}]}', "findings[0] has no resource"),
    ('{"format": "brokerguard-baseline/1", "findings": [], "extra": 1}', "unknown key 'extra'"),
    (b"\xff\xfe", "not UTF-8"),
])
def test_bad_baseline_exits_2_in_one_line(cli, tmp_path: Path, content: str | bytes, expected: str) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_bytes(content if isinstance(content, bytes) else content.encode())
    run = scan(cli, PUBLIC_DB, "--tier", "3", "--baseline", baseline)
    assert run.code == 2 and run.json["summary"] == {"passed": False, "exit_code": 2}  # the exit-2 report, no verdict
    assert expected in run.json["error"] and not run.json["controls"]
    assert run.err.count("\n") == 1 and str(baseline) in run.err and expected in run.err, run.err


def test_missing_baseline_and_both_baseline_options_exit_2(cli, tmp_path: Path) -> None:
    run = scan(cli, PUBLIC_DB, "--tier", "3", "--baseline", tmp_path / "none.json")
    assert run.code == 2 and "none.json: cannot read the baseline" in run.err
    run = scan(cli, PUBLIC_DB, "--tier", "3", "--baseline", tmp_path / "a", "--create-baseline", tmp_path / "b")
    assert run.code == 2 and "exclude each other" in run.err and not (tmp_path / "b").exists()


# --- changed files -------------------------------------------------------------------------------------

def test_only_findings_in_changed_files_gate(cli, stack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    main = stack / "main.tf"
    text = main.read_text()
    start = text.index('resource "aws_db_instance" "settlement"')
    (stack / "db.tf").write_text(text[start:])
    main.write_text(text[:start])
    listed = tmp_path / "changed.txt"

    listed.write_text(f"{main}\n")  # the network changed, not the database
    run = scan(cli, stack, "--tier", "3", "--gate", "infrastructure", "--changed-files", listed)
    states = gate_states(run)
    assert states[("CKV_TWB_003", "aws_db_instance.settlement")] == "outside_change"
    assert states[("CKV_TWB_010", "aws_networkfirewall_firewall.edge")] == "gating"
    assert run.code == 1

    # Only the database file changed: its findings gate, the firewall's do not.
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{stack / 'db.tf'}\n"))
    run = scan(cli, stack, "--tier", "3", "--gate", "infrastructure", "--changed-files", "-")
    states = gate_states(run)
    assert states[("CKV_TWB_003", "aws_db_instance.settlement")] == "gating"
    assert states[("CKV_TWB_010", "aws_networkfirewall_firewall.edge")] == "outside_change"
    assert run.statuses()["firewall"] == "fail"  # the whole stack is still judged

    # A change elsewhere (a README): nothing that fails is in it.
    (stack / "README.md").write_text("notes\n")
    listed.write_text(f"{stack / 'README.md'}\n")
    assert scan(cli, stack, "--tier", "3", "--gate", "infrastructure", "--changed-files", listed).code == 0


def test_evidence_gates_under_changed_files_only_when_the_profile_changed(cli, tmp_path: Path) -> None:
    listed = tmp_path / "changed.txt"
    listed.write_text(f"{EXAMPLES / 'tier1-compliant' / 'main.tf'}\n")
    run = scan(cli, EXAMPLES / "tier1-compliant", "--tier", "1", "--changed-files", listed)
    assert run.code == 0 and run.json["gate"]["failing_controls"]["isms"] == "outside_change"
    profile = tmp_path / "profile.yaml"
    profile.write_text("tier: 1\n")
    listed.write_text(f"{profile}\n")
    assert scan(cli, EXAMPLES / "tier1-compliant", "--profile", profile, "--changed-files", listed).code == 1


def test_empty_changed_files_list_exits_2(cli, tmp_path: Path) -> None:
    listed = tmp_path / "changed.txt"
    listed.write_text("\n")
    run = scan(cli, PUBLIC_DB, "--tier", "3", "--changed-files", listed)
    assert run.code == 2 and "lists no file" in run.err


def test_unreadable_changed_files_list_and_no_path_exit_2(cli, tmp_path: Path) -> None:
    run = scan(cli, PUBLIC_DB, "--tier", "3", "--changed-files", tmp_path / "none.txt")
    assert run.code == 2 and "none.txt: cannot read the changed-files list" in run.err
    assert "cannot read the changed-files list" in run.json["error"] and not run.json["controls"]
    run = cli("scan", "--tier", "3")
    assert run.code == 2 and "no path to scan" in run.err


def test_a_protection_removed_elsewhere_is_caught_by_a_baseline_not_by_changed_files(cli, tmp_path: Path) -> None:
    """The documented limit of --changed-files, and what closes it: a baseline made before the change."""
    stack = Path(shutil.copytree(EXAMPLES / "tier1-compliant", tmp_path / "stack", symlinks=False))
    profile = REPO / "iac_examples" / "profiles" / "tier1.yaml"
    baseline = tmp_path / "baseline.json"
    assert scan(cli, stack, "--profile", profile, "--create-baseline", baseline).code == 0
    waf = stack / "waf.tf"
    text = waf.read_text()
    start = text.index('resource "aws_wafv2_web_acl_association" "web"')
    waf.write_text(text[:start] + text[text.index("\n}\n", start) + 3:])  # the change removes the association
    listed = tmp_path / "changed.txt"
    listed.write_text(f"{waf}\n")
    by_file = scan(cli, stack, "--profile", profile, "--changed-files", listed)
    assert gate_states(by_file)[("CKV2_TWB_001", "aws_lb.web")] == "outside_change" and by_file.code == 0
    by_baseline = scan(cli, stack, "--profile", profile, "--baseline", baseline)
    assert gate_states(by_baseline)[("CKV2_TWB_001", "aws_lb.web")] == "gating" and by_baseline.code == 1
