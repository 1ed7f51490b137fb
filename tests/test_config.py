""".brokerguard.yaml: found in the working directory or at the repository root, or named; command line >
config file > defaults; unknown keys are errors; `brokerguard config` says what a scan would use."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import EXAMPLES

PUBLIC_DB = EXAMPLES / "nonc-public-core-db"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_config_in_working_directory_sets_scan_defaults(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / ".brokerguard.yaml", f"paths: [{PUBLIC_DB}]\ntier: 3\nas-of: 2024-06-30\nformat: json\n"
                                          "gate: infrastructure\n")
    monkeypatch.chdir(tmp_path)
    run = cli("scan")
    assert run.code == 1 and run.json["tier"] == 3 and run.json["gate"]["mode"] == "infrastructure"
    assert run.json["provenance"]["config"]["path"].endswith(".brokerguard.yaml")
    # The command line wins over the file: --soft-fail added, --tier replaced, --capital replaces tier.
    assert cli("scan", "--soft-fail").code == 0
    assert cli("scan", "--tier", "4").json["tier"] == 4
    assert cli("scan", "--capital", "25e9").json["tier"] == 1
    assert cli("scan", "--gate", "all", "--tier", "1", EXAMPLES / "tier1-compliant").code == 1


def test_config_at_repository_root_found_from_a_subdirectory(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    write(tmp_path / ".brokerguard.yaml", "tier: 1\nas-of: 2024-06-30\nformat: json\ngate: infrastructure\n"
                                          "paths: [infra]\n")
    infra = tmp_path / "infra"
    for tf in (EXAMPLES / "tier1-compliant").glob("*.tf"):
        write(infra / tf.name, tf.read_text())
    monkeypatch.chdir(infra)
    run = cli("scan")
    assert run.code == 0, run.err  # paths are relative to the config file, not to where brokerguard runs
    assert run.json["paths"] == ["."]


def test_config_file_option_and_missing_file(cli, tmp_path: Path) -> None:
    config = write(tmp_path / "ci.yaml", "tier: 3\nas-of: 2024-06-30\nformat: json\nsoft-fail: true\n")
    assert cli("scan", PUBLIC_DB, "--config-file", config).code == 0
    assert cli("scan", PUBLIC_DB, "--config-file", config, "--no-soft-fail").code == 1
    run = cli("scan", PUBLIC_DB, "--config-file", tmp_path / "none.yaml")
    assert run.code == 2 and "none.yaml: config file not found" in run.err


@pytest.mark.parametrize(("text", "expected"), [
    ("gat: infrastructure\n", "unknown key 'gat'"),
    ("changed-files: x.txt\n", "a command-line option, not a config key 'changed-files'"),
    ("tier: 9\n", "tier: "),
    ("gate: some\n", "gate: 'some' is not one of all, infrastructure"),
    ("soft-fail: yes please\n", "soft-fail: expected true or false"),
    ("tier: 1\ncapital: 5e9\n", "tier and capital exclude each other"),
    ("- tier\n", "expected a mapping"),
    ("tier: [1\n", "invalid YAML"),
])
def test_bad_config_exits_2_in_one_line(cli, tmp_path: Path, text: str, expected: str) -> None:
    config = write(tmp_path / ".brokerguard.yaml", text)
    run = cli("scan", PUBLIC_DB, "--config-file", config)
    assert run.code == 2 and run.out == ""
    assert run.err.count("\n") == 1 and str(config) in run.err and expected in run.err, run.err


def test_config_command_prints_effective_configuration_with_sources(cli, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / ".brokerguard.yaml", "tier: 2\ngate: infrastructure\n")
    monkeypatch.chdir(tmp_path)
    run = cli("config", "--quiet")
    assert run.code == 0
    lines = dict(line.split(": ", 1) for line in run.out.splitlines() if not line.startswith("#"))
    assert lines["tier"] == "2  # config file"
    assert lines["gate"] == '"infrastructure"  # config file'
    assert lines["quiet"] == "true  # command line"
    assert lines["soft-fail"] == "false  # default"
    assert str(tmp_path / ".brokerguard.yaml") in run.out.splitlines()[0]
