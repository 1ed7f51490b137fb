"""The code under scan cannot change the verdict: inline suppressions are listed, never applied."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLES

PUBLIC_DB = EXAMPLES / "nonc-public-core-db"
# Every prefix Checkov 3 honours (checkov/common/comment/enum.py), on lines inside the resource block.
SKIPS = ('  #checkov:skip=CKV_TWB_003:reviewed by ops\n'
         '  # bridgecrew:skip=CKV_TWB_033,CKV_TWB_034\n'
         '  // cortex:skip=CKV_TWB_036: the RTO lives in the wiki\n')


def _suppressed(tmp_path: Path) -> tuple[Path, int]:
    tree = tmp_path / "infra"
    shutil.copytree(PUBLIC_DB, tree)
    main = tree / "main.tf"
    text = main.read_text()
    anchor = "  publicly_accessible    = true\n"
    assert anchor in text
    main.write_text(text.replace(anchor, SKIPS + anchor))
    return tree, text[: text.index(anchor)].count("\n") + 1


def _failed(doc: dict) -> set[tuple[str, str, int]]:
    return {(f["check_id"], f["resource"], f["line"]) for c in doc["controls"] for f in c["findings"]
            if f["result"] == "failed"}


def test_inline_skips_change_no_verdict_and_are_listed(cli, tmp_path: Path) -> None:
    tree, first = _suppressed(tmp_path)
    plain = cli("scan", PUBLIC_DB, "--tier", "1", "--format", "json")
    skipped = cli("scan", tree, "--tier", "1", "--format", "json")
    assert plain.code == skipped.code == 1
    assert skipped.statuses() == plain.statuses()
    assert ("CKV_TWB_003", "aws_db_instance.settlement", 67) in _failed(skipped.json)
    assert {(c, r) for c, r, _ in _failed(skipped.json)} == {(c, r) for c, r, _ in _failed(plain.json)}
    assert skipped.control("firewall")["status"] == "fail"
    listed = [(s["file"].rsplit("/", 1)[-1], s["line"], s["check"], s["reason"], s["applied"])
              for s in skipped.json["suppressions"]]
    assert listed == [("main.tf", first, "CKV_TWB_003", "reviewed by ops", False),
                      ("main.tf", first + 1, "CKV_TWB_033", "No comment provided", False),
                      ("main.tf", first + 1, "CKV_TWB_034", "No comment provided", False),
                      ("main.tf", first + 2, "CKV_TWB_036", "the RTO lives in the wiki", False)]
    assert plain.json["suppressions"] == []


@pytest.mark.parametrize("fmt", ["cli", "sarif", "markdown", "html"])
def test_every_format_says_the_skip_was_not_applied(cli, tmp_path: Path, fmt: str) -> None:
    tree, first = _suppressed(tmp_path)
    out = tmp_path / f"report.{fmt}"
    run = cli("scan", tree, "--tier", "1", "--format", fmt, "--output", out, "--lang", "en")
    assert run.code == 1
    text = out.read_text()
    if fmt == "sarif":
        run_doc = json.loads(text)["runs"][0]
        notes = [n for n in run_doc["invocations"][0]["toolExecutionNotifications"] if n["level"] == "warning"]
        assert [(n["descriptor"]["id"], n["locations"][0]["physicalLocation"]["region"]["startLine"]) for n in notes] \
            == [("CKV_TWB_003", first), ("CKV_TWB_033", first + 1), ("CKV_TWB_034", first + 1), ("CKV_TWB_036", first + 2)]
        assert all("not applied" in n["message"]["text"] for n in notes)
        assert any(r["ruleId"] == "CKV_TWB_003" and "suppressions" not in r for r in run_doc["results"])
    elif fmt == "cli":
        assert f"NOT APPLIED checkov:skip=CKV_TWB_003 at {tree / 'main.tf'}:{first} (reviewed by ops)" in text
        assert "CKV_TWB_003 FAILED: aws_db_instance.settlement" in text
    else:
        assert f"{tree / 'main.tf'}:{first} skips CKV_TWB_003 (reason: reviewed by ops): not applied" in text
        assert "Inline suppressions not applied (4)" in text


def test_a_check_checkov_skips_anyway_stops_the_scan(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Should a Checkov release skip through a path brokerguard does not switch off, the scan cannot pass."""
    from checkov.terraform.runner import Runner

    real = Runner.run
    monkeypatch.setattr(Runner, "run", lambda self, *a, **k: real(self, *a, **{**k, "collect_skip_comments": True}))
    tree, _ = _suppressed(tmp_path)
    run = cli("scan", tree, "--tier", "1", "--format", "json")
    assert run.code == 2
    line = run.err.strip()
    assert run.json["error"] == line.removeprefix("brokerguard: error: ") and run.json["summary"]["passed"] is False
    assert "\n" not in line and line.startswith(f"brokerguard: error: {tree}: Checkov skipped CKV_TWB_0")
    assert "on aws_db_instance.settlement" in line
    assert line.endswith("brokerguard applies no inline suppression and cannot judge a skipped check")


def test_the_comments_read_are_the_ones_checkov_honours() -> None:
    """suppressions.py reads Checkov's own pattern and line test: a Checkov upgrade that changes them fails here."""
    from brokerguard import compat_checkov, suppressions

    compat_checkov.import_checkov()
    from checkov.common.comment.enum import COMMENT_REGEX
    from checkov.terraform.context_parsers.base_parser import BaseContextParser

    assert suppressions.PATTERN.pattern == COMMENT_REGEX.pattern
    for prefix in suppressions.PREFIXES:
        assert BaseContextParser.is_optional_comment_line(f"  # {prefix}CKV_TWB_003")
    assert not BaseContextParser.is_optional_comment_line("  # checkov:skip CKV_TWB_003")  # no '=': not a skip
    assert suppressions.in_text("  # checkov:skip CKV_TWB_003\n", "x.tf") == []
