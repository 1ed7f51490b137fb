"""Override files merged as Terraform merges them (providers/terraform_override.py): the merge rules on
the parsed form, and scans whose findings name the original block's file and line. The verdicts on
real plans of the same trees are in the oracle corpus (override-* mutants, test_terraform_oracle.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import hcl2
import pytest

from brokerguard.errors import InputError
from brokerguard.providers.terraform_override import merge_directory
from brokerguard.providers.terraform_tree import resolve
from conftest import FIXTURES

sys.path.insert(0, str(FIXTURES / "terraform_mutants"))
import mutants

BASE = '''resource "aws_security_group" "db" {
  name        = "db"
  description = "kept"
  ingress {
    from_port = 5432
  }
  ingress {
    from_port = 5433
  }
  dynamic "egress" {
    for_each = []
    content {}
  }
  lifecycle {
    create_before_destroy = true
    prevent_destroy       = true
  }
}
locals {
  public = false
  other  = 1
}
provider "aws" {
  region = "ap-east-2"
  default_tags {
    tags = { "twb:system" = "trading" }
  }
}
terraform {
  required_providers {
    aws    = { source = "hashicorp/aws", version = "~> 5.0" }
    random = { source = "hashicorp/random" }
  }
}
'''


def _merged(files: dict[str, str], strict: bool = True) -> dict[str, dict]:
    parsed = {Path("/m") / name: hcl2.loads(text) for name, text in files.items()}
    return {p.name: doc for p, doc in merge_directory(parsed, strict=strict).items()}


def _sg(doc: dict) -> dict:
    return doc["resource"][0]["aws_security_group"]["db"]


def test_an_argument_replaces_the_argument_and_a_nested_block_every_block_of_its_type() -> None:
    out = _merged({"main.tf": BASE, "override.tf": 'resource "aws_security_group" "db" {\n  name = "other"\n'
                                                   '  ingress {\n    from_port = 22\n  }\n}\n'})
    sg = _sg(out["main.tf"])
    assert sg["name"] == ["other"] and sg["description"] == ["kept"]
    assert sg["ingress"] == [{"from_port": [22]}]  # both original ingress blocks are gone
    assert sg["__start_line__"] == 1 and sg["__end_line__"] == 18  # the original block's lines: findings name them
    assert out["override.tf"] == {}  # nothing of it stands on its own


def test_a_dynamic_block_replaces_the_static_blocks_of_its_type_and_the_other_way_round() -> None:
    out = _merged({"main.tf": BASE, "override.tf": 'resource "aws_security_group" "db" {\n'
                                                   '  dynamic "ingress" {\n    for_each = []\n    content {}\n  }\n'
                                                   '  egress {\n    from_port = 0\n  }\n}\n'})
    sg = _sg(out["main.tf"])
    assert "ingress" not in sg and [set(d) for d in sg["dynamic"]] == [{"ingress"}]
    assert sg["egress"] == [{"from_port": [0]}]  # the original dynamic "egress" is gone


def test_lifecycle_is_merged_argument_by_argument() -> None:
    out = _merged({"main.tf": BASE, "override.tf": 'resource "aws_security_group" "db" {\n'
                                                   '  lifecycle {\n    prevent_destroy = false\n  }\n}\n'})
    assert _sg(out["main.tf"])["lifecycle"] == [{"create_before_destroy": [True], "prevent_destroy": [False]}]


def test_override_files_apply_in_lexical_order_and_locals_value_by_value() -> None:
    out = _merged({"main.tf": BASE, "b_override.tf": "locals {\n  public = true\n}\n",
                   "a_override.tf": "locals {\n  public = 2\n}\n"})
    locals_block = out["main.tf"]["locals"][0]
    assert locals_block["public"] == [True] and locals_block["other"] == [1]


def test_providers_and_the_terraform_block() -> None:
    out = _merged({"main.tf": BASE, "override.tf": 'provider "aws" {\n  default_tags {\n    tags = {}\n  }\n}\n'
                                                   'terraform {\n  required_providers {\n'
                                                   '    aws = { source = "hashicorp/aws", version = "~> 6.0" }\n  }\n}\n'})
    provider = out["main.tf"]["provider"][0]["aws"]
    assert provider["region"] == ["ap-east-2"] and provider["default_tags"] == [{"tags": [{}]}]
    required = out["main.tf"]["terraform"][0]["required_providers"][0]
    assert required["aws"][0]["version"] == "~> 6.0" and "random" in required  # provider by provider
    # A default provider configuration needs no original: Terraform reads it as the module's own.
    alone = _merged({"main.tf": "locals {\n  a = 1\n}\n", "override.tf": 'provider "aws" {\n  region = "x"\n}\n'})
    assert alone["override.tf"]["provider"][0]["aws"]["region"] == ["x"]


def test_a_block_whose_original_was_left_out_is_dropped_in_the_staged_copy() -> None:
    # count = 0 blanks the original before Checkov's second run: the override block is then dropped.
    files = {"main.tf": "locals {\n  a = 1\n}\n", "override.tf": 'resource "aws_db_instance" "x" {\n  count = 0\n}\n'}
    assert _merged(files, strict=False)["override.tf"] == {}
    with pytest.raises(InputError, match="override.tf:1: resource aws_db_instance x: nothing to override"):
        _merged(files)


def test_an_override_can_change_a_module_call_source(tmp_path: Path) -> None:
    (tmp_path / "modules" / "old").mkdir(parents=True)
    (tmp_path / "modules" / "new").mkdir()
    for d in ("old", "new"):
        (tmp_path / "modules" / d / "main.tf").write_text("locals {\n  a = 1\n}\n")
    (tmp_path / "main.tf").write_text('module "db" {\n  source = "./modules/old"\n}\n')
    (tmp_path / "db_override.tf").write_text('module "db" {\n  source = "./modules/new"\n}\n')
    files = sorted(tmp_path.rglob("*.tf"))
    tree = resolve(tmp_path, files)
    assert tree.module_dirs == {tmp_path, tmp_path / "modules" / "new"}
    assert tree.left_out == (tmp_path / "modules" / "old" / "main.tf",)


@pytest.mark.parametrize("mutant,check,resource,where,passed,overridden", [
    ("override-db-public", "CKV_TWB_003", "aws_db_instance.ledger", "app.tf:62", False, "override.tf:1"),
    ("override-db-private", "CKV_TWB_003", "aws_db_instance.ledger", "app.tf:62", True, ""),
    ("override-lexical-later-wins-public", "CKV_TWB_003", "aws_db_instance.ledger", "app.tf:62", False,
     "a_override.tf:1, TREE/b_override.tf:1"),
    ("override-locals-public", "CKV_TWB_003", "aws_db_instance.ledger", "app.tf:62", False, ""),
    ("override-nested-block-replaces-all", "CKV_TWB_011", "aws_networkfirewall_logging_configuration.trading",
     "firewall_logging.tf:14", False, "logging_override.tf:1"),
    ("override-inside-module-public", "CKV_TWB_003", "module.tenant_a.aws_db_instance.this", "modules/db/main.tf:6", False,
     "modules/db/override.tf:1"),
    ("override-waf-association-count-0", "CKV2_TWB_001", "aws_lb.web", "app.tf:36", False, ""),
    ("override-provider-default-tags", "CKV_TWB_001", "aws_db_instance.ledger", "app.tf:62", False, ""),
])
def test_findings_of_merged_blocks_name_the_original_block(cli, tmp_path: Path, mutant: str, check: str, resource: str,
                                                           where: str, passed: bool, overridden: str) -> None:
    tree = mutants.write(next(m for m in mutants.MUTANTS if m.name == mutant), tmp_path)
    run = cli("scan", tree, "--tier", "1", "--format", "json")
    found = [f for c in run.json["controls"] for f in c["findings"] if f["check_id"] == check and f["resource"] == resource]
    assert found and {f["result"] for f in found} == {"passed" if passed else "failed"}, found
    assert {f"{Path(f['file']).relative_to(tree)}:{f['line']}" for f in found} == {where}
    # A failure on a block override files changed names them as well (in both languages).
    note = f"(overridden by {tree}/{overridden.replace('TREE', str(tree))})" if overridden else "(overridden by"
    assert all((note in f["message"]) == bool(overridden) for f in found), found
    assert all(("覆寫" in f["texts"]["zh-TW"]["message"]) == bool(overridden) for f in found if not passed)


def test_the_parse_cache_holds_files_as_written_never_merged(cli, tmp_path: Path) -> None:
    # The cache is keyed by a file's own text: were it to hold the merged form, changing only the
    # override file would leave the original's cached merge in force.
    tree = mutants.write(next(m for m in mutants.MUTANTS if m.name == "override-db-public"), tmp_path / "t")
    cache = tmp_path / "cache"
    results = []
    for public in ("true", "false", "true"):
        (tree / "override.tf").write_text(f'resource "aws_db_instance" "ledger" {{\n  publicly_accessible = {public}\n}}\n')
        run = cli("scan", tree, "--tier", "1", "--format", "json", "--cache-dir", cache)
        results += [f["result"] for c in run.json["controls"] for f in c["findings"]
                    if f["check_id"] == "CKV_TWB_003" and f["resource"] == "aws_db_instance.ledger"]
    assert results == ["failed", "passed", "failed"]
