"""--cache-dir: a re-scan parses only the files that changed, and reports exactly what a scan
without the cache reports; a damaged cache entry is parsed again, never trusted."""

from __future__ import annotations

import shutil
from pathlib import Path

import hcl2
import pytest

from conftest import EXAMPLES, REPO

AS_OF = "2024-06-30"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the HCL parser is asked to parse (the cache calls hcl2.loads on a miss)."""
    calls: list[str] = []
    real = hcl2.loads

    def counting(text: str, *args: object, **kwargs: object) -> object:
        calls.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(hcl2, "loads", counting)
    return calls


def _scan(cli, tree: Path, *args: object):
    return cli("scan", tree, "--tier", "1", "--as-of", AS_OF, "--format", "json", *args)


def test_rescan_parses_only_the_changed_file_and_reports_the_same(cli, tmp_path: Path, parses: list[str]) -> None:
    tree = tmp_path / "infra"
    shutil.copytree(EXAMPLES / "tier1-compliant", tree)
    cache = tmp_path / "cache"
    uncached = _scan(cli, tree)
    first = _scan(cli, tree, "--cache-dir", cache)
    assert first.code == uncached.code and first.out == uncached.out
    parses.clear()
    second = _scan(cli, tree, "--cache-dir", cache)
    assert parses == [] and second.out == uncached.out

    # Take the WAF association away: only waf.tf is parsed again, and the ALB now fails.
    app = tree / "waf.tf"
    text = app.read_text()
    start = text.index('resource "aws_wafv2_web_acl_association" "web"')
    app.write_text(text[:start] + text[text.index("}\n", start) + 2:])
    parses.clear()
    changed = _scan(cli, tree, "--cache-dir", cache)
    assert parses == [app.read_text()]
    assert changed.statuses()["waf"] == "fail" and first.statuses()["waf"] == "pass"
    assert changed.out == _scan(cli, tree).out


def test_a_damaged_cache_entry_is_parsed_again(cli, tmp_path: Path, parses: list[str]) -> None:
    tree = EXAMPLES / "nonc-public-core-db"
    cache = tmp_path / "cache"
    clean = _scan(cli, tree, "--cache-dir", cache)
    entries = sorted(cache.rglob("*.json"))
    assert len(entries) == 1
    entries[0].write_text('{"resource": [')  # truncated, as by a full disk
    parses.clear()
    again = _scan(cli, tree, "--cache-dir", cache)
    assert len(parses) == 1 and again.out == clean.out
    assert "CKV_TWB_003" in {f["check_id"] for f in again.control("firewall")["findings"] if f["result"] == "failed"}


def test_a_parse_error_is_still_exit_2_with_the_cache(cli, tmp_path: Path) -> None:
    run = cli("scan", REPO / "tests/fixtures/terraform/parse-error", "--tier", "1", "--cache-dir", tmp_path / "cache")
    assert run.code == 2 and "parse-error/main.tf:8: cannot parse Terraform" in run.err
