"""Words of the human reports (markdown, html) in zh-TW and en; control names come from the catalog."""

from __future__ import annotations

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
        "left_out": "未判定的檔案（沒有任何 module 區塊呼叫其目錄，Terraform 不會讀取）：{files}",
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
        "left_out": "Files not judged (no module block calls their directory, so Terraform does not read them): {files}",
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


def text(lang: str, key: str, **values: object) -> str:
    return _TEXT[lang][key].format(**values)


def status(lang: str, value: str) -> str:
    return _STATUS[lang].get(value, value)


def judged(lang: str, value: str) -> str:
    return _JUDGED[lang][value]


def both_names(name: dict[str, str], lang: str) -> str:
    """A control's name in the report's language first, then in the other: both are always shown."""
    other = "en" if lang == "zh-TW" else "zh-TW"
    return f"{name[lang]} / {name[other]}"
