"""Real processes, no network: the installed command and plain Checkov with our checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import EXAMPLES, REPO

# Loaded by every Python process started with this folder on PYTHONPATH: any non-loopback
# connection or DNS lookup is recorded in a file and refused.
GUARD = '''
import os, socket
_log = os.environ["BG_NETLOG"]
def _deny(*args, **kwargs):
    with open(_log, "a") as fh:
        fh.write(repr(args[1:2] or args) + "\\n")
    raise OSError("network disabled in tests")
_connect = socket.socket.connect
def _guarded(self, address):
    if isinstance(address, tuple) and address and address[0] not in ("127.0.0.1", "::1", "localhost"):
        return _deny(self, address)
    return _connect(self, address)
socket.socket.connect = _guarded
socket.getaddrinfo = lambda host, *a, **k: _deny(None, host)
'''


def run(tmp_path: Path, *cmd: str, **extra_env: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    guard = tmp_path / "guard"
    guard.mkdir(exist_ok=True)
    (guard / "sitecustomize.py").write_text(GUARD)
    log = tmp_path / "net.log"
    env = {**os.environ, "PYTHONPATH": str(guard), "BG_NETLOG": str(log), **extra_env}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    return proc, (log.read_text().splitlines() if log.exists() else [])


def test_installed_command_scans_without_network(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "brokerguard"
    proc, attempts = run(tmp_path, str(exe), "scan", str(EXAMPLES / "nonc-public-core-db"), "--tier", "2",
                         "--as-of", "2024-06-30", "--format", "json")
    assert attempts == []
    assert proc.returncode == 1, proc.stderr
    firewall = next(c for c in json.loads(proc.stdout)["controls"] if c["id"] == "firewall")
    assert firewall["status"] == "fail"


def test_version_is_fast_to_load(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "brokerguard"
    proc, _ = run(tmp_path, str(exe), "--version")
    assert proc.returncode == 0 and proc.stdout.startswith("brokerguard ")
    # Checkov is imported only when a scan needs it.
    probe = "import sys, brokerguard.cli; sys.exit('checkov' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe]).returncode == 0


def test_plain_checkov_runs_our_checks_offline(tmp_path: Path) -> None:
    checkov = Path(sys.executable).parent / "checkov"
    proc, attempts = run(tmp_path, str(checkov), "-d", str(EXAMPLES / "nonc-public-core-db"), "--framework", "terraform",
                         "--external-checks-dir", str(REPO / "policies" / "checkov"), "--skip-download",
                         "--check", "CKV_TWB_001,CKV_TWB_003", "--output", "json", "--quiet",
                         CKV_SKIP_PACKAGE_UPDATE_CHECK="True")  # as docs/checks.md tells plain Checkov users
    assert attempts == [], attempts
    report = json.loads(proc.stdout)
    failed = {(c["check_id"], c["resource"]) for c in report["results"]["failed_checks"]}
    assert failed == {("CKV_TWB_003", "aws_db_instance.settlement")}
