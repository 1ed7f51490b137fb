"""Words of the human reports (markdown, html) in zh-TW and en; control names come from the catalog."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from brokerguard.policies.meta import text_of  # noqa: F401 (the reports' one way to pick a language)

if TYPE_CHECKING:
    from brokerguard.suppressions import Suppression

DEFAULT_LANG = "zh-TW"

_TEXT: dict[str, dict[str, str]] = {
    "zh-TW": {
        "title": "證券商資通安全分級防護檢查報告",
        "broker": "券商",
        "tier": "分級",
        "tier_n": "第 {n} 級",
        "as_of": "基準日",
        "paths": "掃描路徑",
        "resources": "資源數",
        "verdict_pass": "通過：本級所有應辦控制皆符合",
        "verdict_fail": "未通過：{n} 項應辦控制未符合",
        "failing_controls": "未符合的控制",
        "other_controls": "其他控制",
        "matrix": "控制矩陣",
        "control": "控制",
        "cc": "CC 代碼",
        "status": "狀態",
        "judged": "判定方式",
        "details": "資源、佐證與說明",
        "requirement": "規定內容",
        "resource": "資源",
        "where": "位置",
        "fix": "修正方式",
        "message": "問題",
        "counts": "各狀態數量",
        "network": "網路架構圖",
        "network_note": "由宣告的基礎設施繪製：公有子網路 = 路由至網際網路閘道；核心系統以紅框標示；紅色實線箭頭 = 核心系統位於公有子網路，直接暴露於網際網路。",
        "no_network": "此堆疊未宣告 VPC 或子網路。",
        "evidence": "佐證",
        "waivers": "豁免登錄",
        "no_waivers": "設定檔未宣告豁免。",
        "approver": "核准人",
        "reason": "理由",
        "expiry": "到期日",
        "ticket": "單號",
        "compensating": "補償控制",
        "target": "對象",
        "expired": "已過期",
        "live": "有效",
        "provenance": "稽核軌跡",
        "versions": "版本",
        "git_commit": "Git 提交",
        "dirty": "有未提交變更",
        "profile": "設定檔",
        "inputs": "輸入檔案 SHA-256",
        "none": "無",
        "waived_by": "豁免：{approver}，至 {expiry}",
        "internet": "網際網路",
        "more_nodes": "另有 {count} 項：核心 {core}、對外入口 {entry}、其他 {other}",
        "more_vpcs": "另有 {count} 個 VPC（共 {core} 個核心系統、{public} 個位於公有子網路）未繪出",
        "core_paths": "核心子網路的網際網路路徑",
        "no_core_path": "核心子網路沒有通往網際網路的路由",
        "public_subnet": "公有子網路",
        "private_subnet": "私有子網路",
        "outside_vpc": "不在宣告的 VPC 內（預設 VPC、未宣告的子網路或區域服務）",
        "core": "核心",
        "entry": "對外入口",
        "legend_core": "核心系統",
        "legend_entry": "對外入口",
        "legend_fw": "網路防火牆",
        "legend_waf": "WAF",
        "legend_fail": "檢查未通過",
        "more_rows": "另有 {n} 列，請見 SARIF 或 HTML 報告",
        "rule_sets": "判定依據之規則集",
        "source": "依據",
        "left_out": "未判定的檔案（沒有任何 module 區塊呼叫其目錄，Terraform 不會讀取）：{files}",
        "t_left_out": "未納入      {file}：沒有任何 module 區塊呼叫其目錄，Terraform 不會讀取",
        "included": "亦由所含控制判定（{n} 項未通過，見該控制）",
        "by_resource": "各資源未通過項目",
        "no_failed_resources": "沒有資源未通過檢查。",
        "t_header": "brokerguard：{who}第 {tier} 級，基準日 {as_of}，{paths} 中共 {n} 項資源",
        "t_provenance": "brokerguard {bg}、Checkov {checkov}、控制目錄 SHA-256 {sha}{commit}，已計算 {n} 個輸入檔的雜湊",
        "t_commit": "、提交 {commits}",
        "t_dirty": "（有未提交變更）",
        "t_failed": "未通過",
        "t_failed_baselined": "未通過（已列於基準檔）",
        "t_failed_outside": "未通過（不在變更檔案中）",
        "t_attested": "此處未見，依佐證已於他處落實",
        "t_fix": "修正方式",
        "t_evidence": "佐證",
        "t_expires": "，到期日 {expiry}",
        "t_waiver": "豁免：{reason}（核准人 {approver}，到期日 {expiry}）",
        "t_note": "說明",
        "t_not_judged": "無法判定",
        "t_not_read": "無法讀取",
        "t_unmapped": "沒有任何檢查認得的資源類型（僅列出，未判定）",
        "t_baseline_fixed": "已修正      {check}（{resource}）：列於基準檔，本次未再發現",
        "t_baseline_changed": "已變更      {check}（{resource}）：列於基準檔，但其判定內容已變更，重新判定",
        "t_passed": "通過",
        "t_incomplete": "未完成",
        "t_failed_verdict": "未通過",
        "t_summary": "：{summary}（共 {n} 項控制）",
        "t_drift": "漂移",
        "t_suppression": "未採用    {file}:{line} 的 {syntax}{check}（理由：{reason}）：行內略過註解不改變判定，請於設定檔的豁免清單登錄豁免",
        "gate_line": "閘門 {mode}{extra}：結束代碼 {code}",
        "gate_baseline": "，基準檔 {path}",
        "gate_changed": "，{n} 個變更檔案",
        "gate_soft_fail": "，軟性失敗",
        "gate_not_gating": "（僅報告、不影響結束代碼：{parts}）",
        "gate_evidence_only": "僅佐證",
        "gate_baselined": "已列於基準檔",
        "gate_outside_change": "不在變更檔案中",
        "not_judged": "無法判定：掃描未完成，結果不是通過",
        "source_notes": "來源說明（部署與宣告不一致）",
        "suppressions": "未採用的行內略過註解",
        "suppressions_note": "程式碼中的 Checkov 略過註解不會改變判定：豁免只能登錄於設定檔的豁免清單（核准人、到期日）。",
        "suppression_row": "{file}:{line} 略過 {check}（理由：{reason}）：未採用",
    },
    "en": {
        "title": "Tiered cybersecurity controls of a securities broker: audit report",
        "broker": "Broker",
        "tier": "Tier",
        "tier_n": "tier {n}",
        "as_of": "As of",
        "paths": "Scanned paths",
        "resources": "Resources",
        "verdict_pass": "PASSED: every control the tier requires holds",
        "verdict_fail": "FAILED: {n} required controls do not hold",
        "failing_controls": "Failing controls",
        "other_controls": "Other controls",
        "matrix": "Control matrix",
        "control": "Control",
        "cc": "CC code",
        "status": "Status",
        "judged": "Judged by",
        "details": "Resources, evidence and notes",
        "requirement": "Requirement",
        "resource": "Resource",
        "where": "Where",
        "fix": "How to fix",
        "message": "Problem",
        "counts": "Controls by status",
        "network": "Network architecture",
        "network_note": "Drawn from the declared infrastructure: a public subnet routes to an internet gateway; core systems are outlined in red; a solid red arrow is a core system in a public subnet, exposed to the internet.",
        "no_network": "This stack declares no VPC or subnet.",
        "more_nodes": "{count} more: {core} core, {entry} entry points, {other} other",
        "more_vpcs": "{count} more VPCs not drawn ({core} core systems, {public} in public subnets)",
        "core_paths": "Internet paths of core subnets",
        "no_core_path": "core subnets have no route to the internet",
        "evidence": "Evidence",
        "waivers": "Waiver register",
        "no_waivers": "The profile declares no waivers.",
        "approver": "Approver",
        "reason": "Reason",
        "expiry": "Expiry",
        "ticket": "Ticket",
        "compensating": "Compensating control",
        "target": "Target",
        "expired": "EXPIRED",
        "live": "live",
        "provenance": "Provenance",
        "versions": "Versions",
        "git_commit": "Git commit",
        "dirty": "uncommitted changes",
        "profile": "Profile",
        "inputs": "Input files, SHA-256",
        "none": "none",
        "waived_by": "waived by {approver} until {expiry}",
        "internet": "Internet",
        "public_subnet": "public subnet",
        "private_subnet": "private subnet",
        "outside_vpc": "In no declared VPC (default VPC, undeclared subnets, or regional services)",
        "core": "core",
        "entry": "entry point",
        "legend_core": "core system",
        "legend_entry": "internet entry point",
        "legend_fw": "network firewall",
        "legend_waf": "WAF",
        "legend_fail": "a check fails here",
        "more_rows": "{n} more rows: see the SARIF or HTML report",
        "rule_sets": "Judged by rule sets",
        "source": "Source",
        "left_out": "Files not judged (no module block calls their directory, so Terraform does not read them): {files}",
        "t_left_out": "LEFT OUT    {file}: no module block calls its directory, so Terraform does not read it",
        "included": "Also decided by an included control ({n} failing finding(s), shown there)",
        "by_resource": "Failing findings by resource",
        "no_failed_resources": "No resource fails a check.",
        "t_header": "brokerguard: {who}tier {tier}, as of {as_of}, {n} resources in {paths}",
        "t_provenance": "brokerguard {bg}, Checkov {checkov}, catalog sha256 {sha}{commit}, {n} input files hashed",
        "t_commit": ", commit {commits}",
        "t_dirty": " (dirty)",
        "t_failed": "FAILED",
        "t_failed_baselined": "FAILED (in the baseline)",
        "t_failed_outside": "FAILED (not in the changed files)",
        "t_attested": "absent here, realised elsewhere per evidence",
        "t_fix": "how to fix",
        "t_evidence": "evidence",
        "t_expires": ", expires {expiry}",
        "t_waiver": "waiver: {reason} (approved by {approver}, expires {expiry})",
        "t_note": "note",
        "t_not_judged": "NOT JUDGED",
        "t_not_read": "NOT READ",
        "t_unmapped": "resource types no check knows (listed, not judged)",
        "t_baseline_fixed": "FIXED       {check} on {resource}: in the baseline, no longer found",
        "t_baseline_changed": "CHANGED     {check} on {resource}: in the baseline, but what it judged changed: judged anew",
        "t_passed": "PASSED",
        "t_incomplete": "INCOMPLETE",
        "t_failed_verdict": "FAILED",
        "t_summary": ": {summary} ({n} controls)",
        "t_drift": "DRIFT",
        "t_suppression": "NOT APPLIED {syntax}{check} at {file}:{line} ({reason}): inline suppressions change no verdict; waive in the profile's waiver register",
        "gate_line": "gate {mode}{extra}: exit {code}",
        "gate_baseline": ", baseline {path}",
        "gate_changed": ", {n} changed files",
        "gate_soft_fail": ", soft-fail",
        "gate_not_gating": " (reported, not gating: {parts})",
        "gate_evidence_only": "evidence only",
        "gate_baselined": "baselined",
        "gate_outside_change": "outside the changed files",
        "not_judged": "Could not be judged: the scan did not complete, and this is not a pass",
        "source_notes": "Source notes (deployed differs from declared)",
        "suppressions": "Inline suppressions not applied",
        "suppressions_note": "Checkov skip comments in the code do not change the verdict: a waiver is declared in the profile's waiver register (approver, expiry).",
        "suppression_row": "{file}:{line} skips {check} (reason: {reason}): not applied",
    },
}

_STATUS = {
    "zh-TW": {"pass": "通過", "fail": "未通過", "attested": "已佐證", "waived": "豁免", "evidence_missing": "缺佐證",
              "not_applicable": "不適用", "not_in_force": "尚未生效", "error": "無法判定"},
    "en": {"pass": "pass", "fail": "fail", "attested": "attested", "waived": "waived",
           "evidence_missing": "evidence missing", "not_applicable": "not applicable", "not_in_force": "not in force",
           "error": "error"},
}

_JUDGED = {
    "zh-TW": {"automated": "自動檢查", "automated+evidence": "自動檢查＋佐證", "evidence": "僅佐證"},
    "en": {"automated": "automated", "automated+evidence": "automated + evidence", "evidence": "evidence only"},
}


_SEVERITY = {
    "zh-TW": {"critical": "重大", "high": "高", "medium": "中", "low": "低"},
    "en": {"critical": "critical", "high": "high", "medium": "medium", "low": "low"},
}


def severity(lang: str, value: str) -> str:
    return _SEVERITY[lang][value]


def text(lang: str, key: str, **values: object) -> str:
    return _TEXT[lang][key].format(**values)


def suppression_line(s: Suppression, lang: str) -> str:
    return text(lang, "suppression_row", file=s.file, line=s.line, check=s.check or "?", reason=s.reason)


def status(lang: str, value: str) -> str:
    return _STATUS[lang].get(value, value)


def judged(lang: str, value: str) -> str:
    return _JUDGED[lang][value]


def display_width(value: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in value)


def control_name(name: dict[str, str], lang: str) -> str:
    """A control's name in the report's language; an English report adds the official Chinese name (the
    regulation's), a zh-TW report has no English in it."""
    return f"{name['en']} / {name['zh-TW']}" if lang == "en" else name["zh-TW"]
