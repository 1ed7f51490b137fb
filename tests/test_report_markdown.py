"""The pull-request comment: tier, verdict, failing controls with resource, line and fix, the rest collapsed."""

from __future__ import annotations

from pathlib import Path

import yaml

from conftest import EXAMPLES, REPO

PROFILES = REPO / "iac_examples" / "profiles"


def markdown(cli, path: Path, *args: object):
    return cli("scan", path, "--as-of", "2024-06-30", "--format", "markdown", *args)


def section(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


def test_failing_control_row_names_resource_line_and_fix_in_zh_tw_by_default(cli) -> None:
    run = markdown(cli, EXAMPLES / "nonc-public-core-db", "--profile", PROFILES / "tier1.yaml")
    assert run.code == 1
    md = run.out
    assert md.startswith("## brokerguard: Example Securities Co., Ltd. (範例證券), 第 1 級 · 基準日: 2024-06-30\n")
    # firewall, and ids-ips: the edge firewall's policy is not in the stack and the profile declares no IPS;
    # and what this small stack lacks for tier 1 (antivirus, mail, resilience, threat detection, APT defence).
    assert "**❌ 未通過：7 項應辦控制未符合**" in md
    failing = section(md, "### 未符合的控制", "<details>")
    rows = [line for line in failing.splitlines() if line.startswith("| **")]
    assert sum("(`firewall`)" in r for r in rows) == 6 and sum("(`ids-ips`)" in r for r in rows) == 1
    db = next(r for r in rows if "CKV_TWB_003" in r)
    assert "`aws_db_instance.settlement` (`iac_examples/terraform/nonc-public-core-db/main.tf:67`)" in db
    assert "設定 publicly_accessible = false" in db  # the check's fix, in the report's language
    rest = section(md, "<summary>其他控制 (11)</summary>", "</details>")
    assert "(`penetration-test`) | CC-17010 | 已佐證 | 僅佐證 |" in rest
    assert "(`firewall`)" not in rest
    assert "`iac_examples/terraform/nonc-public-core-db/main.tf` " in section(md, "<summary>稽核軌跡</summary>", "</details>")


def test_english_and_evidence_missing_rows(cli) -> None:
    run = markdown(cli, EXAMPLES / "tier4-compliant", "--tier", "2", "--lang", "en")
    md = run.out
    assert "**❌ FAILED: 15 required controls do not hold**" in md
    failing = section(md, "### Failing controls", "<details>")
    assert "| **E-mail filtering / 電子郵件過濾機制** (`email-filtering`) | CC-17010 | evidence missing | — |" in failing
    waf = next(line for line in failing.splitlines() if "(`waf`)" in line)
    assert "`aws_lb.web` (`iac_examples/terraform/tier4-compliant/main.tf:94`)" in waf and "CKV2_TWB_001" in waf


def test_passing_stack_has_no_failing_table(cli) -> None:
    run = markdown(cli, EXAMPLES / "tier1-compliant", "--profile", PROFILES / "tier1.yaml", "--lang", "en")
    assert run.code == 0
    assert "**✅ PASSED: every control the tier requires holds**" in run.out
    assert "### Failing controls" not in run.out
    assert "<summary>Other controls (18)</summary>" in run.out


def test_waiver_register_marks_expired_waivers(cli, tmp_path: Path) -> None:
    data = yaml.safe_load((PROFILES / "tier1.yaml").read_text())
    data["waivers"] = [{"target": "CKV2_TWB_001", "resources": "aws_lb.web", "reason": "WAF rollout | Q3",
                        "approver": "CISO Lin", "expiry": "2024-06-01", "ticket": "SEC-42",
                        "compensating_control": "CDN rate limiting"}]
    profile = tmp_path / "profile.yaml"
    profile.write_text(yaml.safe_dump(data, allow_unicode=True))
    run = markdown(cli, EXAMPLES / "nonc-alb-without-waf", "--profile", profile, "--lang", "en")
    register = section(run.out, "<summary>Waiver register (1)</summary>", "</details>")
    assert ("| waf | `CKV2_TWB_001` `aws_lb.web` | CISO Lin | WAF rollout \\| Q3 | CDN rate limiting | SEC-42 | "
            "2024-06-01 **EXPIRED** |") in register
    assert "`aws_lb.web` (`iac_examples/terraform/nonc-alb-without-waf/main.tf:18`)" in section(
        run.out, "### Failing controls", "<details>")
    assert run.out == markdown(cli, EXAMPLES / "nonc-alb-without-waf", "--profile", profile, "--lang", "en").out


def test_apt_defence_points_to_included_controls_instead_of_repeating_their_rows(cli) -> None:
    run = markdown(cli, EXAMPLES / "nonc-threat-detection", "--profile", PROFILES / "tier1.yaml", "--lang", "en")
    rows = [line for line in run.out.splitlines() if line.startswith("| **")]
    detection = [r for r in rows if "(`threat-detection`)" in r]
    apt = [r for r in rows if "(`apt-defense`)" in r]
    assert any("TWB_STACK_026" in r for r in detection)
    assert not any("TWB_STACK_026" in r for r in apt)
    assert len(apt) == 1 and "included control (1 failing finding(s), shown there): `threat-detection`" in apt[0]
