"""--cache-dir: a re-scan judges again only what changed, reports exactly what a scan without the
cache reports, never returns a stale verdict, and cannot be fed one.

Each invalidation test changes one input the cached findings depend on and asserts that the verdict
really changes; a damaged, unwritable, misplaced or forged cache is a rescan or an exit 2, never a
wrong verdict.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import hcl2
import pytest
from test_custom_policy import CHECK, METADATA, TREE

from brokerguard.providers.plan import display_path
from conftest import EXAMPLES, REPO

AS_OF = "2024-06-30"
DB = "aws_db_instance.ledger"


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


def _result(run, check_id: str, resource: str) -> str:
    """What one check said of one resource, from the JSON report."""
    found = {f["result"] for c in run.json["controls"] for f in c["findings"]
             if f["check_id"] == check_id and f["resource"] == resource}
    assert len(found) <= 1, (check_id, resource, found)
    return found.pop() if found else "not judged"


def _tier1(tmp_path: Path) -> Path:
    tree = tmp_path / "infra"
    shutil.copytree(EXAMPLES / "tier1-compliant", tree)
    return tree


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_rescan_reports_the_same_and_parses_only_the_changed_file(cli, tmp_path: Path, parses: list[str]) -> None:
    tree, cache = _tier1(tmp_path), tmp_path / "cache"
    uncached = _scan(cli, tree)
    first = _scan(cli, tree, "--cache-dir", cache)
    assert first.code == uncached.code and first.out == uncached.out
    parses.clear()
    second = _scan(cli, tree, "--cache-dir", cache)
    assert parses == [] and second.out == uncached.out

    # Take the WAF association away: only waf.tf is parsed again, and the ALB now fails.
    waf = tree / "waf.tf"
    text = waf.read_text()
    start = text.index('resource "aws_wafv2_web_acl_association" "web"')
    waf.write_text(text[:start] + text[text.index("}\n", start) + 2:])
    parses.clear()
    changed = _scan(cli, tree, "--cache-dir", cache)
    assert parses == [waf.read_text()]
    assert changed.statuses()["waf"] == "fail" and first.statuses()["waf"] == "pass"
    assert changed.out == _scan(cli, tree).out


def test_a_changed_tfvars_value_is_judged_again(cli, tmp_path: Path) -> None:
    tree, cache = _tier1(tmp_path), tmp_path / "cache"
    _edit(tree / "app.tf", "publicly_accessible    = false", "publicly_accessible    = var.db_public")
    (tree / "variables.tf").write_text('variable "db_public" {\n  type = bool\n}\n')
    (tree / "terraform.tfvars").write_text("db_public = false\n")
    assert _result(_scan(cli, tree, "--cache-dir", cache), "CKV_TWB_003", DB) == "passed"
    (tree / "terraform.tfvars").write_text("db_public = true\n")
    assert _result(_scan(cli, tree, "--cache-dir", cache), "CKV_TWB_003", DB) == "failed"
    assert _result(_scan(cli, tree, "--cache-dir", cache, "--var", "db_public=false"), "CKV_TWB_003", DB) == "passed"
    os.environ["TF_VAR_db_public"] = "false"
    try:
        (tree / "terraform.tfvars").unlink()
        assert _result(_scan(cli, tree, "--cache-dir", cache), "CKV_TWB_003", DB) == "passed"
        os.environ["TF_VAR_db_public"] = "true"
        assert _result(_scan(cli, tree, "--cache-dir", cache), "CKV_TWB_003", DB) == "failed"
    finally:
        del os.environ["TF_VAR_db_public"]


def test_a_changed_file_of_a_called_module_is_judged_again(cli, tmp_path: Path) -> None:
    tree, cache = _tier1(tmp_path), tmp_path / "cache"
    module = tree / "modules" / "ledger_copy"
    module.mkdir(parents=True)
    (module / "main.tf").write_text(textwrap.dedent('''\
        resource "aws_db_instance" "copy" {
          engine              = "postgres"
          instance_class      = "db.r6g.large"
          publicly_accessible = false
          tags = { "twb:system" = "settlement", "twb:class" = "core" }
        }
        '''))
    (tree / "ledger_copy.tf").write_text('module "ledger_copy" {\n  source = "./modules/ledger_copy"\n}\n')
    address = "module.ledger_copy.aws_db_instance.copy"
    assert _result(_scan(cli, tree, "--cache-dir", cache), "CKV_TWB_003", address) == "passed"
    _edit(module / "main.tf", "publicly_accessible = false", "publicly_accessible = true")
    again = _scan(cli, tree, "--cache-dir", cache)
    assert _result(again, "CKV_TWB_003", address) == "failed" and again.out == _scan(cli, tree).out


def test_a_changed_profile_is_judged_again(cli, tmp_path: Path) -> None:
    tree, cache = _tier1(tmp_path), tmp_path / "cache"
    profile = tmp_path / "profile.yaml"
    shutil.copy(REPO / "iac_examples" / "profiles" / "tier1.yaml", profile)
    before = _scan(cli, tree, "--cache-dir", cache, "--profile", profile)
    assert _result(before, "CKV_TWB_003", DB) == "passed"
    # The checks now look for the class under another key: the core database is no longer known as core.
    profile.write_text(profile.read_text() + "\ntag_keys:\n  class: bank:class\n")
    after = _scan(cli, tree, "--cache-dir", cache, "--profile", profile)
    assert _result(after, "CKV_TWB_003", DB) == "not judged"
    assert after.out == _scan(cli, tree, "--profile", profile).out != before.out


# A child process adds a throwaway check (test_custom_policy's) and, with "catalog", its catalog line.
SCRIPT = '''
import datetime as dt, json, sys
from pathlib import Path
import yaml
import brokerguard.policies.checkov as checks
checks_dir, tree, cache, mode = sys.argv[1:]
if mode != "none":
    checks.__path__.append(checks_dir)
from brokerguard import scan_cache
from brokerguard.catalog import CATALOG_PATH, parse_catalog
from brokerguard.profile import Profile
from brokerguard.scan import scan
with scan_cache.using(Path(cache), [Path(tree)]):
    data = yaml.safe_load(CATALOG_PATH.read_text())
    if mode == "catalog":
        next(c for c in data["controls"] if c["id"] == "firewall")["checks"].append("CKV_TWB_999")
    catalog = parse_catalog(data, "catalog.yaml")
    result = scan([Path(tree)], Profile(tier=4), dt.date(2024, 6, 30), catalog)
found = {f.finding.resource: f.finding.passed for r in result.results for f in r.findings
         if f.finding.check_id == "CKV_TWB_999"}
print(json.dumps({"found": found, "checkov": "checkov" in sys.modules}))
'''


def _child(checks: Path, tree: Path, cache: Path, mode: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(checks), str(tree), str(cache), mode], cwd=REPO,
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_changed_catalog_or_policy_file_is_judged_again(tmp_path: Path) -> None:
    checks, tree, cache = tmp_path / "checks", tmp_path / "tree", tmp_path / "cache"
    checks.mkdir()
    tree.mkdir()
    (checks / "CKV_TWB_999_firewall_delete_protection.py").write_text(textwrap.dedent(CHECK))
    (checks / "CKV_TWB_999_firewall_delete_protection.metadata.yaml").write_text(textwrap.dedent(METADATA))
    (tree / "main.tf").write_text(TREE)
    plain = _child(checks, tree, cache, "none")
    assert plain["found"] == {} and _child(checks, tree, cache, "none") == {**plain, "checkov": False}
    # The catalog gains the check: judged, and the fragile firewall fails.
    added = _child(checks, tree, cache, "catalog")
    assert added["found"] == {"aws_networkfirewall_firewall.kept": True, "aws_networkfirewall_firewall.fragile": False}
    assert _child(checks, tree, cache, "catalog") == {**added, "checkov": False}
    # The check's code changes (now any firewall passes): the cached findings are not used.
    code = checks / "CKV_TWB_999_firewall_delete_protection.py"
    code.write_text(textwrap.dedent(CHECK).replace('in (True, "true")', 'in (True, "true", None)'))
    changed = _child(checks, tree, cache, "catalog")
    assert changed["found"] == {"aws_networkfirewall_firewall.kept": True, "aws_networkfirewall_firewall.fragile": True}
    assert changed["checkov"] is True


def test_a_rescan_with_nothing_changed_does_not_import_checkov(tmp_path: Path) -> None:
    tree, cache = _tier1(tmp_path), tmp_path / "cache"
    script = ("import sys; from brokerguard.cli import main; code = main(sys.argv[1:]); "
              "print('checkov imported' if 'checkov' in sys.modules else 'checkov not imported', file=sys.stderr); "
              "raise SystemExit(code)")
    args = [sys.executable, "-c", script, "scan", str(tree), "--tier", "1", "--as-of", AS_OF, "--format", "json",
            "--cache-dir", str(cache)]
    first = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path)
    second = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path)
    assert first.returncode == second.returncode == 1  # no profile: evidence is missing
    assert "checkov imported" in first.stderr and "checkov not imported" in second.stderr
    assert second.stdout == first.stdout
    (tree / "waf.tf").write_text((tree / "waf.tf").read_text() + "\n")  # one line more: lines move, judged again
    third = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path)
    assert "checkov imported" in third.stderr
    registry = next(cache.glob("registry/*/*"))
    registry.write_bytes(registry.read_bytes()[:100])  # damaged: the registry is built again, with Checkov
    fourth = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path)
    assert "checkov imported" in fourth.stderr and fourth.stdout == third.stdout


def _entries(cache: Path) -> list[Path]:
    return sorted(p for p in cache.rglob("*") if p.is_file())


def test_a_damaged_cache_is_judged_again(cli, tmp_path: Path, parses: list[str]) -> None:
    tree, cache = EXAMPLES / "nonc-public-core-db", tmp_path / "cache"
    clean = _scan(cli, tree, "--cache-dir", cache)
    assert _result(clean, "CKV_TWB_003", "aws_db_instance.settlement") == "failed"
    entries = _entries(cache)
    assert "terraform-root" in {p.relative_to(cache).parts[0] for p in entries}
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2])  # truncated, as by a full disk
    parses.clear()
    again = _scan(cli, tree, "--cache-dir", cache)
    assert len(parses) == 1 and again.out == clean.out


def test_an_unusable_cache_dir_is_a_rescan_or_exit_2(cli, tmp_path: Path) -> None:
    tree = EXAMPLES / "nonc-public-core-db"
    clean = _scan(cli, tree)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    refused = _scan(cli, tree, "--cache-dir", blocker)
    assert refused.code == 2 and refused.err.strip().splitlines() == [f"brokerguard: error: {blocker}: --cache-dir is "
                                                                      "not a directory"]
    for _ in range(2):  # under a file: nothing can be written, the scan is judged in full every time
        unwritable = _scan(cli, tree, "--cache-dir", blocker / "cache")
        assert (unwritable.code, unwritable.out) == (clean.code, clean.out)


def test_a_cache_dir_inside_a_scanned_path_is_refused(cli, tmp_path: Path) -> None:
    """A repository could otherwise ship entries forged for its own content."""
    tree = _tier1(tmp_path)
    run = _scan(cli, tree, "--cache-dir", tree / ".brokerguard-cache")
    assert run.code == 2 and f"--cache-dir lies inside the scanned path {tree}" in run.err
    assert not (tree / ".brokerguard-cache").exists()


def test_an_entry_under_another_key_or_naming_code_is_not_used(cli, tmp_path: Path) -> None:
    failing, passing, cache = EXAMPLES / "nonc-public-core-db", _tier1(tmp_path), tmp_path / "cache"
    assert _result(_scan(cli, failing, "--cache-dir", cache), "CKV_TWB_003", "aws_db_instance.settlement") == "failed"
    bad = {p for p in _entries(cache) if "terraform-root" in p.parts}
    good = _scan(cli, passing, "--cache-dir", cache)
    assert _result(good, "CKV_TWB_003", DB) == "passed"
    target = next(p for p in _entries(cache) if "terraform-root" in p.parts and p not in bad)
    # The failing tree's entry, renamed to the passing tree's key: it names its own key, so it is not used.
    shutil.copy(next(iter(bad)), target)
    assert _scan(cli, passing, "--cache-dir", cache).out == good.out

    # An entry that would run code when unpickled: refused by the unpickler, the tree judged again.
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self) -> tuple:
            return (os.system, (f"touch {marker}",))

    key = target.name
    target.write_bytes(pickle.dumps((key, Payload())))
    assert _scan(cli, passing, "--cache-dir", cache).out == good.out and not marker.exists()
    assert not [p for p in _entries(cache) if p.name.startswith(".tmp-")]  # written by rename, nothing half-written


def test_a_multi_root_tree_judges_again_only_the_changed_root(cli, tmp_path: Path, parses: list[str]) -> None:
    tree, cache = tmp_path / "stacks", tmp_path / "cache"
    shutil.copytree(EXAMPLES / "tier1-compliant", tree / "trading")
    shutil.copytree(EXAMPLES / "nonc-public-core-db", tree / "settlement")
    uncached = _scan(cli, tree)
    assert _scan(cli, tree, "--cache-dir", cache).out == uncached.out
    _edit(tree / "trading" / "app.tf", "publicly_accessible    = false", "publicly_accessible    = true")
    parses.clear()
    changed = _scan(cli, tree, "--cache-dir", cache)
    assert parses == [(tree / "trading" / "app.tf").read_text()]
    assert changed.out == _scan(cli, tree).out
    prefix = display_path(tree / "trading")
    assert _result(changed, "CKV_TWB_003", f"{prefix}:{DB}") == "failed"
    assert _result(uncached, "CKV_TWB_003", f"{prefix}:{DB}") == "passed"


def test_files_parsed_ahead_on_both_cores_give_the_same_report(cli, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from brokerguard import hcl_cache, parallel

    tree = _tier1(tmp_path)
    monkeypatch.setattr(hcl_cache, "PARALLEL_FROM", 10_000)
    serial = _scan(cli, tree)
    monkeypatch.setattr(hcl_cache, "PARALLEL_FROM", 1)
    monkeypatch.setattr(parallel, "MAX_WORKERS", 2)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert _scan(cli, tree).out == serial.out
    # A file the workers cannot parse is parsed again by Checkov, which reports it: one line, exit 2.
    broken = cli("scan", REPO / "tests/fixtures/terraform/parse-error", "--tier", "1")
    assert broken.code == 2 and "parse-error/main.tf:8: cannot parse Terraform" in broken.err


def test_root_modules_judged_side_by_side_give_the_same_report(cli, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Several root modules are judged in forked workers: the same findings in the same order as one by one."""
    from brokerguard import checkov_scan, parallel

    tree = tmp_path / "stacks"
    shutil.copytree(EXAMPLES / "tier1-compliant", tree / "trading")
    shutil.copytree(EXAMPLES / "nonc-public-core-db", tree / "settlement")
    shutil.copytree(EXAMPLES / "tier2-compliant", tree / "web")
    monkeypatch.setattr(checkov_scan, "PARALLEL_ROOTS_FROM", 10_000)
    serial = _scan(cli, tree)
    forks: list[int] = []
    real = parallel.workers
    monkeypatch.setattr(parallel, "workers", lambda items: forks.append(real(items)) or forks[-1])
    monkeypatch.setattr(checkov_scan, "PARALLEL_ROOTS_FROM", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    side_by_side = _scan(cli, tree)
    assert 2 in forks  # the three roots really went to two workers
    assert side_by_side.out == serial.out and side_by_side.code == serial.code == 1
    assert _result(side_by_side, "CKV_TWB_003", f"{display_path(tree / 'settlement')}:aws_db_instance.settlement") == "failed"
    assert _result(side_by_side, "CKV_TWB_003", f"{display_path(tree / 'trading')}:{DB}") == "passed"


@pytest.fixture
def ahead_on_two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    from brokerguard import hcl_cache

    monkeypatch.setattr(hcl_cache, "PARALLEL_FROM", 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


def test_a_file_changed_after_it_was_parsed_ahead_is_judged_as_it_now_reads(cli, tmp_path: Path, parses: list[str],
                                                                            ahead_on_two_cores: None) -> None:
    """parsing_ahead starts before the catalog loads; what it parsed is used by content, never by file name."""
    from brokerguard import hcl_cache
    from brokerguard.providers.terraform import files_to_parse

    tree = _tier1(tmp_path)
    with hcl_cache.parsing_ahead(files_to_parse([tree])):
        assert len(hcl_cache._ahead) == 1
        _edit(tree / "app.tf", "publicly_accessible    = false", "publicly_accessible    = true")
        run = _scan(cli, tree)  # takes what was parsed ahead; the changed text is parsed here
    assert not hcl_cache._ahead
    assert parses == [(tree / "app.tf").read_text()]  # every other file came from the worker
    assert _result(run, "CKV_TWB_003", DB) == "failed"
    assert run.out == _scan(cli, tree).out


def test_a_scan_refused_before_it_parses_leaves_no_worker_behind(cli, tmp_path: Path,
                                                                 ahead_on_two_cores: None) -> None:
    import multiprocessing

    from brokerguard import hcl_cache

    tree = _tier1(tmp_path)
    run = _scan(cli, tree, "--profile", tmp_path / "missing.yaml")
    assert run.code == 2 and "missing.yaml" in run.err
    assert not hcl_cache._ahead and not multiprocessing.active_children()


def test_a_parse_worker_that_dies_only_costs_time(cli, tmp_path: Path, ahead_on_two_cores: None) -> None:
    """The early parse is optional work: a worker killed under it (out of memory) leaves its files to be
    parsed again, and the report is the same."""
    import multiprocessing
    import signal

    from brokerguard import hcl_cache
    from brokerguard.providers.terraform import files_to_parse

    tree = _tier1(tmp_path)
    expected = _scan(cli, tree).out
    with hcl_cache.parsing_ahead(files_to_parse([tree])):
        ahead = hcl_cache._ahead[0]
        ahead.batches[0][1].result()  # the worker is up
        for worker in multiprocessing.active_children():
            os.kill(worker.pid, signal.SIGKILL)
        run = _scan(cli, tree)
    assert run.code == 1 and run.out == expected
