"""brokerguard imports Checkov without its ~1,000 built-in Terraform checks (much of Checkov's
start-up) and still registers and runs every check of ours."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import EXAMPLES, REPO

SCRIPT = """
import json, sys
from brokerguard.cli import main
code = main(["scan", sys.argv[1], "--tier", "3", "--as-of", "2024-06-30", "--format", "json", "--output", sys.argv[2]])
from checkov.terraform.checks.resource.registry import resource_registry
ids = sorted({c.id for checks in resource_registry.checks.values() for c in checks})
print(json.dumps({"code": code, "ids": ids, "aws": len(sys.modules["checkov.terraform.checks.resource.aws"].__all__)}))
"""


def test_a_scan_loads_our_checks_and_no_built_in_one(tmp_path) -> None:  # noqa: ANN001
    out = tmp_path / "report.json"
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(EXAMPLES / "nonc-public-core-db"), str(out)],
                          cwd=REPO, capture_output=True, text=True, check=True)
    loaded = json.loads(proc.stdout.strip().splitlines()[-1])
    ours = sorted(p.name[:11] for p in (REPO / "policies" / "checkov").glob("CKV_TWB_*.py"))
    assert loaded["ids"] == ours and loaded["aws"] == 0
    assert loaded["code"] == 1
    firewall = next(c for c in json.loads(out.read_text())["controls"] if c["id"] == "firewall")
    assert ("CKV_TWB_003", "aws_db_instance.settlement") in {(f["check_id"], f["resource"]) for f in firewall["findings"]
                                                             if f["result"] == "failed"}
