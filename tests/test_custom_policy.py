"""docs/custom-policy.md's recipe, followed for real: one check file, one catalog line, one table row.

The throwaway check lives in a temporary folder added to the checks package's path, in a child
process, so the repository's policies are left as they are. The registry's refusals (a file name
that is not an id, two files with one id, a declaration without both languages) are tested the same way.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import REPO

CHECK = '''
from checkov.common.models.enums import CheckResult

from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.resource_conf import value


class FirewallDeleteProtection(ResourceCheck):
    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if value(conf, "delete_protection") in (True, "true"):
            return CheckResult.PASSED
        self.problem("delete_protection is not true", "delete_protection 不是 true")
        return CheckResult.FAILED


check = FirewallDeleteProtection()
'''

METADATA = '''
name:
  en: "Network firewalls have delete protection"
  zh-TW: "網路防火牆啟用刪除保護"
description:
  en: "CC-17010: the firewall cannot be deleted by accident."
  zh-TW: "CC-17010：防火牆不會被誤刪。"
fix:
  en: "Set delete_protection = true."
  zh-TW: "設定 delete_protection = true。"
severity: medium
types: [aws_networkfirewall_firewall]
attributes: [delete_protection]
'''

TREE = '''
resource "aws_networkfirewall_firewall" "kept" {
  name                = "kept"
  delete_protection   = true
  firewall_policy_arn = "arn:aws:network-firewall:ap-northeast-1:111111111111:firewall-policy/p"
  vpc_id              = "vpc-1"
  subnet_mapping {
    subnet_id = "subnet-1"
  }
}

resource "aws_networkfirewall_firewall" "fragile" {
  name                = "fragile"
  firewall_policy_arn = "arn:aws:network-firewall:ap-northeast-1:111111111111:firewall-policy/p"
  vpc_id              = "vpc-1"
  subnet_mapping {
    subnet_id = "subnet-1"
  }
}
'''

SCRIPT = '''
import datetime as dt, json, sys
from pathlib import Path
import yaml
import brokerguard.policies.checkov as checks
checks.__path__.append(sys.argv[1])
from brokerguard import docgen, registry
from brokerguard.catalog import CATALOG_PATH, parse_catalog
from brokerguard.errors import InputError
from brokerguard.profile import Profile
from brokerguard.scan import scan
try:
    policy = registry.load()["CKV_TWB_999"]
except InputError as exc:
    print(json.dumps({"error": str(exc)}))
    raise SystemExit(0)
data = yaml.safe_load(CATALOG_PATH.read_text())
next(c for c in data["controls"] if c["id"] == "firewall")["checks"].append("CKV_TWB_999")
catalog = parse_catalog(data, "catalog.yaml")
result = scan([Path(sys.argv[2])], Profile(tier=4), dt.date(2024, 6, 30), catalog)
found = {f.finding.resource: [f.finding.passed, f.finding.line, f.finding.message, f.finding.message.zh,
                              f.finding.fix.zh, f.finding.guideline]
         for r in result.results for f in r.findings if f.finding.check_id == "CKV_TWB_999"}
print(json.dumps({"found": found, "control": catalog.control_of("CKV_TWB_999").id, "source": policy.source}))
'''


def _run(tmp_path: Path, files: dict[str, str]) -> dict:
    checks = tmp_path / "checks"
    checks.mkdir()
    for name, text in files.items():
        (checks / name).write_text(textwrap.dedent(text), encoding="utf-8")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "main.tf").write_text(TREE, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(checks), str(tree)], cwd=REPO, capture_output=True,
                          text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_new_check_is_one_file_one_catalog_line(tmp_path: Path) -> None:
    out = _run(tmp_path, {"CKV_TWB_999_firewall_delete_protection.py": CHECK,
                          "CKV_TWB_999_firewall_delete_protection.metadata.yaml": METADATA})
    assert out["control"] == "firewall"
    assert out["source"].endswith("CKV_TWB_999_firewall_delete_protection.py")
    kept, fragile = out["found"]["aws_networkfirewall_firewall.kept"], out["found"]["aws_networkfirewall_firewall.fragile"]
    assert kept[:2] == [True, 2]
    assert fragile[:4] == [False, 12, "delete_protection is not true", "delete_protection 不是 true"]
    assert fragile[4:] == ["設定 delete_protection = true。", "docs/checks.md#ckv_twb_999"]


def test_a_file_whose_name_is_not_an_id_is_refused(tmp_path: Path) -> None:
    out = _run(tmp_path, {"firewall_delete_protection.py": CHECK, "firewall_delete_protection.metadata.yaml": METADATA})
    assert "firewall_delete_protection.py: a policy file's name starts with its id" in out["error"]


def test_two_files_with_one_id_are_refused(tmp_path: Path) -> None:
    out = _run(tmp_path, {"CKV_TWB_003_again.py": CHECK, "CKV_TWB_003_again.metadata.yaml": METADATA})
    assert "id CKV_TWB_003 is also the id of" in out["error"]
    assert "CKV_TWB_003_again.py" in out["error"] and "policies/checkov/CKV_TWB_003_core_db_not_public.py" in out["error"]


def test_a_text_without_its_chinese_twin_is_refused(tmp_path: Path) -> None:
    out = _run(tmp_path, {"CKV_TWB_999_x.py": CHECK, "CKV_TWB_999_x.metadata.yaml": METADATA.replace(
        '  zh-TW: "網路防火牆啟用刪除保護"\n', "")})
    assert "CKV_TWB_999_x.metadata.yaml.name: missing key 'zh-TW'" in out["error"]


def test_a_check_without_its_metadata_is_refused(tmp_path: Path) -> None:
    out = _run(tmp_path, {"CKV_TWB_999_x.py": CHECK})
    assert "CKV_TWB_999_x.py: no CKV_TWB_999_x.metadata.yaml beside it" in out["error"]


def test_metadata_of_no_check_is_refused(tmp_path: Path) -> None:
    out = _run(tmp_path, {"CKV_TWB_999_x.metadata.yaml": METADATA})
    assert "CKV_TWB_999_x.metadata.yaml: metadata of no check (CKV_TWB_999_x.py does not exist)" in out["error"]


def test_a_typo_in_the_metadata_is_refused(tmp_path: Path) -> None:
    out = _run(tmp_path, {"CKV_TWB_999_x.py": CHECK, "CKV_TWB_999_x.metadata.yaml": METADATA.replace("severity:", "severty:")})
    assert "unknown key 'severty'" in out["error"]
