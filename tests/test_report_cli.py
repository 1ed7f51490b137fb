"""`--format a,b,... --output-dir DIR` writes DIR/report.<ext> per format; usage errors exit 2 before scanning."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import EXAMPLES


def test_several_formats_into_a_directory(cli, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    run = cli("scan", EXAMPLES / "nonc-alb-without-waf", "--tier", "1", "--as-of", "2024-06-30",
              "--format", "sarif,junitxml,markdown,html,json,cli", "--output-dir", out, "--lang", "en")
    assert run.code == 1 and run.out == ""
    assert sorted(p.name for p in out.iterdir()) == [
        "report.html", "report.json", "report.md", "report.sarif", "report.txt", "report.xml"]
    sarif = json.loads((out / "report.sarif").read_text())
    assert any(r["ruleId"] == "CKV2_TWB_001" for r in sarif["runs"][0]["results"])
    assert ET.parse(out / "report.xml").getroot().get("failures") != "0"
    assert "**❌ FAILED:" in (out / "report.md").read_text()
    assert '<html lang="en">' in (out / "report.html").read_text()
    assert json.loads((out / "report.json").read_text())["summary"]["failing_controls"]
    assert (out / "report.txt").read_text().rstrip().splitlines()[-1].startswith("FAILED:")
    # Every report of one run carries the same provenance.
    assert sarif["runs"][0]["properties"]["provenance"] == json.loads((out / "report.json").read_text())["provenance"]


def test_one_format_in_a_directory_and_zh_tw_by_default(cli, tmp_path: Path) -> None:
    run = cli("scan", EXAMPLES / "tier4-compliant", "--tier", "4", "--as-of", "2024-06-30",
              "--format", "markdown", "--output-dir", tmp_path)
    assert run.code == 1
    assert "應辦控制未符合" in (tmp_path / "report.md").read_text()


@pytest.mark.parametrize("args, message", [
    (("--format", "sarif,html"), "2 formats (sarif,html) need --output-dir DIR"),
    (("--format", "sarif", "--output", "a.sarif", "--output-dir", "out"), "--output and --output-dir exclude each other"),
    (("--format", "sarif,pdf"), "unknown format 'pdf'"),
    (("--format", "html", "--lang", "fr"), "invalid choice: 'fr'"),
])
def test_usage_errors_exit_2_with_one_line(cli, args: tuple[str, ...], message: str) -> None:
    run = cli("scan", EXAMPLES / "tier4-compliant", "--tier", "4", *args)
    assert run.code == 2
    assert message in run.err and len(run.err.strip().splitlines()) == 1


def test_every_report_word_exists_in_both_languages() -> None:
    from brokerguard.catalog import LANGS
    from brokerguard.report import i18n

    keys = {lang: set(i18n._TEXT[lang]) for lang in LANGS}
    assert keys["zh-TW"] == keys["en"]
    for table in (i18n._STATUS, i18n._JUDGED):
        assert set(table["zh-TW"]) == set(table["en"])
    from brokerguard.engine import AUTOMATED, AUTOMATED_EVIDENCE, EVIDENCE
    from brokerguard.model import Status

    assert {s.value for s in Status} <= set(i18n._STATUS["en"])
    assert set(i18n._JUDGED["en"]) == {AUTOMATED, AUTOMATED_EVIDENCE, EVIDENCE}
