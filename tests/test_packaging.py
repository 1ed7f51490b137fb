"""A normal (non-editable) install: only `brokerguard` at the top level, and the rules travel with it."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import EXAMPLES, REPO


def test_wheel_installs_only_brokerguard_and_scans(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w",
                    str(tmp_path), str(REPO)], check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("brokerguard-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        zf.extractall(tmp_path / "site")
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"brokerguard"}
    assert "brokerguard/policies/catalog.yaml" in names
    assert "brokerguard/policies/checkov/CKV2_TWB_001_alb_wafv2.yaml" in names
    # Run the unpacked wheel (ahead of the editable install) on an example.
    code = ("import sys, json, brokerguard; from brokerguard.cli import main; "
            "print(json.dumps({'file': brokerguard.__file__})); sys.exit(main(sys.argv[1:]))")
    proc = subprocess.run([sys.executable, "-c", code, "scan", str(EXAMPLES / "nonc-public-core-db"), "--tier", "1",
                           "--as-of", "2024-06-30", "--format", "json"], capture_output=True, text=True,
                          env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"}, cwd=tmp_path, timeout=300)
    first, rest = proc.stdout.split("\n", 1)
    assert json.loads(first)["file"].startswith(str(tmp_path / "site")), first
    assert proc.returncode == 1, proc.stderr
    statuses = {c["id"]: c["status"] for c in json.loads(rest)["controls"]}
    assert statuses["firewall"] == "fail"
