"""Provenance in every report: versions, the scanned commit (when in git), SHA-256 of each input, how each control was judged."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import EXAMPLES, REPO

PROFILES = REPO / "iac_examples" / "profiles"


def scan_json(cli, path: Path, *args: object):
    return cli("scan", path, "--as-of", "2024-06-30", "--format", "json", *args)


def test_json_report_carries_versions_hashes_commit_and_judgement(cli) -> None:
    run = scan_json(cli, EXAMPLES / "tier4-compliant", "--profile", PROFILES / "tier4.yaml")
    data = run.json
    assert data["schema_version"] == 3
    prov = data["provenance"]
    assert prov["brokerguard_version"] == data["tool"]["version"] and prov["checkov_version"] == "3.3.30"
    catalog = REPO / "policies" / "catalog.yaml"
    assert prov["catalog"] == {"schema_version": 1, "sha256": hashlib.sha256(catalog.read_bytes()).hexdigest()}
    assert prov["profile"] == {"name": data["profile"]["name"], "file": "iac_examples/profiles/tier4.yaml"}
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    if head:  # the tests run from a git checkout; a source tarball has no commit to report
        assert prov["git"][0]["path"] == "iac_examples/terraform/tier4-compliant"
        assert prov["git"][0]["commit"] == head
    main_tf = EXAMPLES / "tier4-compliant" / "main.tf"
    assert {"path": "iac_examples/terraform/tier4-compliant/main.tf",
            "sha256": hashlib.sha256(main_tf.read_bytes()).hexdigest()} in prov["inputs"]
    judged = {c["id"]: c["judged"] for c in data["controls"]}
    assert judged["waf"] == "automated" and judged["antivirus"] == "automated"  # an endpoint agent association
    assert judged["email-filtering"] == "evidence"  # no mail resources in the stack: evidence decides
    assert judged["firewall"] == "automated+evidence"  # the central firewall is declared as evidence at tier 4


def test_outside_git_there_is_no_commit_and_a_changed_file_changes_its_hash(cli, tmp_path: Path) -> None:
    stack = tmp_path / "stack"
    shutil.copytree(EXAMPLES / "nonc-public-core-db", stack)
    first = scan_json(cli, stack, "--tier", "1").json["provenance"]
    assert first["git"] == []
    (stack / "main.tf").write_text((stack / "main.tf").read_text() + "\n# reviewed\n")
    second = scan_json(cli, stack, "--tier", "1").json["provenance"]
    assert [f["sha256"] for f in first["inputs"]] != [f["sha256"] for f in second["inputs"]]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_git_checkout_reports_its_commit_and_uncommitted_changes(cli, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLES / "nonc-public-core-db", repo)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "infra"], cwd=repo, check=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True).stdout.strip()
    clean = scan_json(cli, repo, "--tier", "1").json["provenance"]["git"]
    assert [(g["commit"], g["dirty"]) for g in clean] == [(head, False)]
    (repo / "main.tf").write_text((repo / "main.tf").read_text() + "\n# local edit\n")
    dirty = scan_json(cli, repo, "--tier", "1").json["provenance"]["git"]
    assert [(g["commit"], g["dirty"]) for g in dirty] == [(head, True)]


def test_terminal_report_names_versions_and_inputs(cli) -> None:
    run = cli("scan", EXAMPLES / "nonc-public-core-db", "--tier", "1", "--as-of", "2024-06-30")
    second = run.out.splitlines()[1]
    assert second.startswith("brokerguard 0.1.0, Checkov 3.3.30, catalog sha256 ")
    assert second.endswith(", 1 input files hashed")
