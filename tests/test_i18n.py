"""Every text brokerguard writes exists in zh-TW and en, and a zh-TW report has no English sentence except
identifiers, resource addresses and the broker's own words (evidence, waivers, names)."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, REPO

PROFILES = REPO / "iac_examples" / "profiles"
# English words that make a run of words a sentence rather than a product name ("Gateway Load Balancer").
FUNCTION_WORDS = {"a", "an", "the", "is", "are", "be", "not", "no", "of", "to", "and", "or", "for", "in", "on", "with",
                  "has", "have", "its", "it", "this", "that", "by", "from", "at", "as", "only", "none", "must", "set",
                  "see", "which", "when", "could", "cannot", "can", "was", "were"}
WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")


def english_sentences(text: str) -> list[str]:
    """Runs of plain English words (identifiers with _ . / : - or digits are not words) that read as a sentence."""
    found = []
    for run in re.split(r"[^A-Za-z' ]+", text):
        words = [w for w in run.split(" ") if w]
        # A proper name ("AWS Foundational Security Best Practices") is capitalised throughout.
        sentence_like = any(w[0].islower() for w in words)
        if all(WORD.fullmatch(w) for w in words) and sentence_like and (
                len(words) >= 5 or (len(words) >= 3 and any(w.lower() in FUNCTION_WORDS for w in words))):
            found.append(" ".join(words))
    return found


def _words_of(value: object) -> list[str]:
    if isinstance(value, dict):
        return [w for v in value.values() for w in _words_of(v)]
    if isinstance(value, list):
        return [w for v in value for w in _words_of(v)]
    return [str(value)] if isinstance(value, str) else []


def broker_words(profile: Path | None) -> list[str]:
    """The broker's own texts: evidence, waiver reasons, names, references (shown as written)."""
    if profile is None:
        return []
    raw = yaml.safe_load(profile.read_text(encoding="utf-8"))
    return sorted(_words_of([raw.get("name"), raw.get("evidence"), raw.get("waivers")]), key=len, reverse=True)


def visible_text(report: str, fmt: str) -> str:
    if fmt == "html":
        report = re.sub(r"<style>.*?</style>", " ", report, flags=re.S)
        report = re.sub(r"<code>.*?</code>", " ", report, flags=re.S)  # identifiers, addresses, paths
        report = html_lib.unescape(re.sub(r"<[^>]+>", "\n", report))
    elif fmt == "markdown":
        report = re.sub(r"`[^`]*`", " ", report)
    return report


def test_detector_finds_sentences_and_spares_identifiers() -> None:
    assert english_sentences("核心資料庫 publicly_accessible 為 true：publicly accessible is true on a core database")
    assert english_sentences("在 VPC 宣告 Gateway Load Balancer 端點") == []
    assert english_sentences("aws_db_instance.settlement (main.tf:67) CKV_TWB_003") == []
    assert english_sentences("啟用 AWS Foundational Security Best Practices 標準") == []


CASES = [
    ("nonc-public-core-db", None, ("--tier", "1")),
    ("nonc-alb-without-waf", PROFILES / "tier1.yaml", ()),
    ("nonc-threat-detection", PROFILES / "tier1.yaml", ()),
    ("nonc-waf-count-only", PROFILES / "tier1.yaml", ()),
    ("nonc-firewall-pass-all", PROFILES / "tier1.yaml", ()),
    ("nonc-email-filtering", PROFILES / "tier1.yaml", ()),
    ("tier1-compliant", PROFILES / "tier1.yaml", ()),
    ("tier4-compliant", None, ("--tier", "2")),
    ("tier4-compliant", None, ("--tier", "1", "--as-of", "2021-06-30")),  # not yet in force
    ("nonc-waf-no-sensitive-data", PROFILES / "tier1.yaml", ()),
    ("nonc-bcp-drill", PROFILES / "tier1.yaml", ("--gate", "infrastructure")),
    ("../../tests/fixtures/terraform_plan/nonc-public-core-db.plan.json", None, ("--tier", "1")),
    ("../pulumi/tier4-compliant.preview.json", None, ("--tier", "1")),  # values unknown until apply
]


@pytest.mark.parametrize(("example", "profile", "extra"), CASES, ids=[f"{Path(c[0]).name}{c[2]}" for c in CASES])
def test_zh_tw_reports_have_no_english_sentence(cli, tmp_path: Path, example: str, profile: Path | None,
                                                extra: tuple) -> None:
    args = ["scan", (EXAMPLES / example).resolve(), "--as-of", "2024-06-30", "--lang", "zh-TW", *extra]
    if profile:
        args += ["--profile", profile]
    cli(*args, "--format", "html,markdown,cli", "--output-dir", tmp_path)
    own = broker_words(profile)
    for fmt, name in (("html", "report.html"), ("markdown", "report.md"), ("cli", "report.txt")):
        text = visible_text((tmp_path / name).read_text(encoding="utf-8"), fmt)
        for words in own:
            text = text.replace(words, " ")
        assert english_sentences(text) == [], f"{fmt}: {english_sentences(text)[:5]}"


def test_every_report_phrase_exists_in_both_languages() -> None:
    from brokerguard.report import i18n

    for table in (i18n._TEXT, i18n._STATUS, i18n._JUDGED, i18n._SEVERITY):
        assert set(table) == {"zh-TW", "en"}
        assert set(table["zh-TW"]) == set(table["en"]), set(table["zh-TW"]) ^ set(table["en"])
        for lang, words in table.items():
            assert all(isinstance(v, str) and v.strip() for v in words.values()), lang
    # Placeholders match: a translation that drops {n} would print a sentence without its number.
    for key, zh in i18n._TEXT["zh-TW"].items():
        assert set(re.findall(r"\{(\w+)", zh)) == set(re.findall(r"\{(\w+)", i18n._TEXT["en"][key])), key


def test_zh_tw_notes_on_expired_evidence_and_waivers(cli, tmp_path: Path) -> None:
    data = yaml.safe_load((PROFILES / "tier1.yaml").read_text())
    for e in data["evidence"]:
        if e["control"] == "isms":
            e["expiry"] = "2024-01-01"
    data["waivers"] = [{"target": "CKV2_TWB_001", "resources": "aws_lb.web", "reason": "WAF rollout in Q3",
                        "approver": "CISO Lin", "expiry": "2024-06-01"},
                       {"target": "penetration-test", "reason": "booked for July", "approver": "CISO Lin",
                        "expiry": "2024-12-31"}]
    profile = tmp_path / "profile.yaml"
    profile.write_text(yaml.safe_dump(data, allow_unicode=True))
    baseline = tmp_path / "baseline.json"
    cli("scan", EXAMPLES / "nonc-alb-without-waf", "--profile", profile, "--as-of", "2024-06-30",
        "--create-baseline", baseline)
    out = tmp_path / "out"
    cli("scan", EXAMPLES / "nonc-alb-without-waf", "--profile", profile, "--as-of", "2024-06-30", "--lang", "zh-TW",
        "--baseline", baseline, "--format", "html,markdown,cli", "--output-dir", out)
    own = broker_words(profile)
    for fmt, name in (("html", "report.html"), ("markdown", "report.md"), ("cli", "report.txt")):
        page = (out / name).read_text(encoding="utf-8")
        text = visible_text(page, fmt)
        for words in own:
            text = text.replace(words, " ")
        assert english_sentences(text) == [], f"{fmt}: {english_sentences(text)[:5]}"
    terminal = (out / "report.txt").read_text(encoding="utf-8")
    assert "已於 2024-06-01 到期" in terminal and "不予採計" in terminal and "已列於基準檔" in terminal


@pytest.mark.parametrize("example", ["nonc-public-core-db", "nonc-firewall-pass-all", "nonc-email-filtering"])
def test_json_and_sarif_carry_each_finding_in_both_languages(cli, tmp_path: Path, example: str) -> None:
    cli("scan", EXAMPLES / example, "--tier", "1", "--as-of", "2024-06-30", "--format", "json,sarif",
        "--output-dir", tmp_path)
    import json

    doc = json.loads((tmp_path / "report.json").read_text())
    failed = [f for c in doc["controls"] for f in c["findings"] if f["result"] == "failed"]
    assert failed
    for f in failed:
        assert f["texts"]["en"] == {"message": f["message"], "fix": f["fix"]}
        zh = f["texts"]["zh-TW"]
        assert zh["fix"] != f["fix"] and english_sentences(f"{zh['message']} {zh['fix']}") == [], f
    for c in doc["controls"]:
        assert len(c["notes_zh-TW"]) == len(c["notes"]) and english_sentences(" ".join(c["notes_zh-TW"])) == []
    sarif = json.loads((tmp_path / "report.sarif").read_text())
    for r in sarif["runs"][0]["results"]:
        assert english_sentences(r["properties"]["zh-TW"]["fix"]) == [] and r["properties"]["zh-TW"]["message"]
