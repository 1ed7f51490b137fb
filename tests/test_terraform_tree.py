"""A Terraform directory read as Terraform reads it: the root module and the modules it calls; files
no module reads are left out and named; several root modules are judged together, each under its own
name; what cannot be read stops the scan with one line (exit 2)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLES

TIER1 = EXAMPLES / "tier1-compliant"

DB_MODULE = '''variable "public" {}
resource "aws_db_instance" "this" {
  publicly_accessible = var.public
  tags = { "twb:class" = "core" }
}
'''


def _tree(tmp_path: Path, files: dict[str, str], base: Path | None = TIER1) -> Path:
    root = tmp_path / "stack"
    if base:
        shutil.copytree(base, root)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def _failing(run, control: str) -> set[tuple[str, str]]:
    return {(f["check_id"], f["resource"]) for f in run.control(control)["findings"] if f["result"] == "failed"}


def test_a_directory_no_module_calls_is_left_out_and_named(cli, tmp_path: Path) -> None:
    # Moving the firewall's logging into legacy/ leaves it out of what Terraform applies.
    logging = (TIER1 / "firewall_logging.tf").read_text()
    root = _tree(tmp_path, {"legacy/firewall_logging.tf": logging, "firewall_logging.tf": logging.split(
        'resource "aws_networkfirewall_logging_configuration"')[0]})
    run = cli("scan", root, "--tier", "1", "--format", "json")
    assert run.json["left_out"] == [str(root / "legacy" / "firewall_logging.tf")]
    assert run.control("firewall")["status"] == "fail"
    assert ("CKV2_TWB_010", "aws_networkfirewall_firewall.trading") in _failing(run, "firewall")
    table = cli("scan", root, "--tier", "1", "--lang", "en")
    assert f"LEFT OUT    {root / 'legacy' / 'firewall_logging.tf'}: no module block calls its directory" in table.out


def test_several_root_modules_are_judged_together_each_under_its_own_name(cli, tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "modules/db/main.tf": DB_MODULE,
        "stacks/a/main.tf": 'module "db" {\n  source = "../../modules/db"\n  public = true\n}\n',
        "stacks/b/main.tf": 'module "db" {\n  source = "../../modules/db"\n  public = false\n}\n',
        "stacks/b/unused/old.tf": 'resource "aws_db_instance" "old" {\n  publicly_accessible = true\n}\n',
    }, base=None)
    run = cli("scan", root, "--tier", "1", "--format", "json")
    findings = {(f["resource"], f["result"]) for f in run.control("firewall")["findings"] if f["check_id"] == "CKV_TWB_003"}
    assert findings == {(f"{root / 'stacks/a'}:module.db.aws_db_instance.this", "failed"),
                        (f"{root / 'stacks/b'}:module.db.aws_db_instance.this", "passed")}
    assert run.json["left_out"] == [str(root / "stacks/b/unused/old.tf")]


def test_two_calls_of_one_module_stay_two(cli, tmp_path: Path) -> None:
    root = _tree(tmp_path, {"modules/db/main.tf": DB_MODULE, "tenants.tf":
                            'module "a" {\n  source = "./modules/db"\n  public = false\n}\n'
                            'module "b" {\n  source = "./modules/db"\n  public = true\n}\n'})
    run = cli("scan", root, "--tier", "1", "--format", "json")
    results = {f["resource"]: f["result"] for f in run.control("firewall")["findings"] if f["check_id"] == "CKV_TWB_003"}
    assert results["module.a.aws_db_instance.this"] == "passed"
    assert results["module.b.aws_db_instance.this"] == "failed"
    assert _failing(run, "firewall") >= {("CKV_TWB_003", "module.b.aws_db_instance.this")}


@pytest.mark.parametrize("meta,created", [
    ("count = 0", set()), ("for_each = {}", set()), ("count = 1", {("module.db[0].aws_db_instance.this", 3)}),
    ("", {("module.db.aws_db_instance.this", 3)}),
])
def test_what_a_module_call_with_count_0_holds_is_not_created(cli, tmp_path: Path, meta: str, created: set) -> None:
    # Checkov renders the module anyway, then reads its files on their own once the call is left out.
    root = _tree(tmp_path, {"modules/db/main.tf": "\n" + DB_MODULE, "tenants.tf":
                            f'module "db" {{\n  source = "./modules/db"\n  {meta}\n  public = true\n}}\n'})
    run = cli("scan", root, "--tier", "1", "--format", "json")
    found = {(f["resource"], f["line"], f["result"]) for f in run.control("firewall")["findings"]
             if f["check_id"] == "CKV_TWB_003" and f["resource"].endswith("aws_db_instance.this")}
    assert found == {(resource, line, "failed") for resource, line in created}


def test_a_module_terraform_init_installed_is_read_offline(cli, tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "tenants.tf": 'module "tenant" {\n  source  = "example/db/aws"\n  version = "1.0.0"\n  public  = true\n}\n',
        ".terraform/modules/tenant/main.tf": DB_MODULE,
        ".terraform/modules/modules.json": json.dumps({"Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {"Key": "tenant", "Source": "registry.terraform.io/example/db/aws", "Dir": ".terraform/modules/tenant"}]}),
    })
    run = cli("scan", root, "--tier", "1", "--format", "json")
    failed = [f for f in run.control("firewall")["findings"] if f["resource"] == "module.tenant.aws_db_instance.this"
              and f["check_id"] == "CKV_TWB_003"]
    assert failed and failed[0]["result"] == "failed"
    assert failed[0]["file"].endswith(".terraform/modules/tenant/main.tf") and failed[0]["line"] == 2


COUNT_ON_WAF = ('variable "enable" {\n  type = bool\n}\n', 'resource "aws_wafv2_web_acl_association" "web" {\n',
                'resource "aws_wafv2_web_acl_association" "web" {\n  count = var.enable ? 1 : 0\n')


@pytest.mark.parametrize("args,status", [
    ((), "fail"),  # no value: the association may not be created, so the WAF protection is not certain
    (("--var", "enable=true"), "pass"),
    (("--var", "enable=false"), "fail"),
    (("--var-file", "on.tfvars"), "pass"),
    (("--var-file", "on.tfvars", "--var-file", "off.tfvars"), "fail"),  # the later file wins
    (("--var-file", "off.tfvars", "--var", "enable=true"), "pass"),
])
def test_variables_from_the_command_line_decide_a_count(cli, tmp_path: Path, monkeypatch, args, status) -> None:
    variable, head, counted = COUNT_ON_WAF
    root = _tree(tmp_path, {"flags.tf": variable, "waf.tf": (TIER1 / "waf.tf").read_text().replace(head, counted),
                            "on.tfvars": "enable = true\n", "off.tfvars": "enable = false\n"})
    monkeypatch.chdir(root)
    run = cli("scan", root, "--tier", "1", "--format", "json", *args)
    assert run.control("waf")["status"] == status, run.control("waf")
    if status == "fail" and not args:
        message = next(f["message"] for f in run.control("waf")["findings"] if f["result"] == "failed")
        assert "cannot judge" in message and "aws_wafv2_web_acl_association.web" in message


def test_a_protection_under_an_unknown_count_is_not_certain(cli, tmp_path: Path) -> None:
    variable, head, counted = COUNT_ON_WAF
    root = _tree(tmp_path, {"flags.tf": variable, "waf.tf": (TIER1 / "waf.tf").read_text().replace(head, counted)})
    failed = [f for f in cli("scan", root, "--tier", "1", "--format", "json").control("waf")["findings"]
              if f["result"] == "failed"]
    assert [(f["check_id"], f["resource"]) for f in failed] == [("CKV2_TWB_001", "aws_lb.web")]


# ---- what cannot be read: exit 2, one line naming the file and what would settle it ----------------

BAD_TREES = {
    "registry-module": ({"m.tf": 'module "db" {\n  source = "terraform-aws-modules/rds/aws"\n}\n'},
                        'm.tf:1: module "db" (source terraform-aws-modules/rds/aws) is not on this machine', "terraform init"),
    "git-module": ({"m.tf": 'module "db" {\n  source = "git::https://example.com/db.git"\n}\n'},
                   'm.tf:1: module "db" (source git::https://example.com/db.git) is not on this machine', "plan JSON"),
    "missing-path": ({"m.tf": '\nmodule "db" {\n  source = "./nowhere"\n}\n'},
                     'm.tf:2: module "db" calls ./nowhere, which is not a directory', "source path"),
    "empty-module": ({"m.tf": 'module "db" {\n  source = "./empty"\n}\n', "empty/README.md": "nothing\n"},
                     'm.tf:1: module "db" calls ./empty, which holds no .tf file', "plan JSON"),
    "expression-source": ({"m.tf": 'module "db" {\n  source = "${var.where}"\n}\n'},
                          'm.tf:1: module "db" has no literal source', ""),
    "broken-manifest": ({"m.tf": 'module "db" {\n  source = "example/db/aws"\n}\n',
                         ".terraform/modules/modules.json": '{"Modules": 3}'},
                        "modules.json: not a module manifest terraform init writes", "terraform init"),
    "broken-tfvars": ({"terraform.tfvars": 'enable = "unterminated\n'},
                      "terraform.tfvars: variable file: not a Terraform variable file", ""),
    "tfvars-json-not-an-object": ({"b.auto.tfvars.json": '[1, 2]\n'},
                                  "b.auto.tfvars.json: variable file: not a Terraform variable file", ""),
    # Terraform refuses these override files too (Missing resource to override, Unsupported override...)
    "override-without-original": ({"app_override.tf": '\nresource "aws_db_instance" "ghost" {\n  multi_az = true\n}\n'},
                                  "app_override.tf:2: resource aws_db_instance ghost: nothing to override", "Terraform refuses"),
    "override-local-without-original": ({"override.tf": 'locals {\n  nowhere = 1\n}\n'},
                                        "override.tf:1: local.nowhere: nothing to override", "other files"),
    "override-aliased-provider-without-original": ({"override.tf": 'provider "aws" {\n  alias = "tokyo"\n}\n'},
                                                   "override.tf:1: provider aws tokyo: nothing to override", ""),
    "override-depends-on": ({"override.tf": 'resource "aws_db_instance" "ledger" {\n  depends_on = [aws_vpc.trading]\n}\n'},
                            "override.tf:1: resource aws_db_instance ledger: depends_on cannot be overridden", ""),
    "override-that-does-not-parse": ({"override.tf": 'resource "aws_db_instance" "ledger" {\n  multi_az =\n}\n'},
                                     "override.tf:2: cannot parse Terraform", "terraform fmt"),
    "override-moved": ({"override.tf": 'moved {\n  from = aws_db_instance.a\n  to   = aws_db_instance.ledger\n}\n'},
                       "override.tf: a moved block cannot be in an override file", ""),
    "override-count-and-for-each": ({"override.tf": 'resource "aws_db_instance" "ledger" {\n  count = 1\n}\n'
                                                    'resource "aws_db_instance" "ledger" {\n  for_each = toset([])\n}\n'},
                                    "override.tf:4: the merged block sets both count and for_each", ""),
}


@pytest.mark.parametrize("case", sorted(BAD_TREES))
def test_what_cannot_be_read_stops_the_scan(cli, tmp_path: Path, case: str) -> None:
    files, problem, hint = BAD_TREES[case]
    root = _tree(tmp_path, files)
    run = cli("scan", root, "--tier", "1")
    lines = run.err.strip().splitlines()
    assert run.code == 2 and len(lines) == 1 and run.out == "", run.err
    assert lines[0].startswith(f"brokerguard: error: {root}/") and problem in lines[0] and hint in lines[0], lines[0]


@pytest.mark.parametrize("args,problem", [
    (("--var", "enable"), "--var enable: expected NAME=VALUE"),
    (("--var", "1x=true"), "--var 1x=true: expected NAME=VALUE"),
    (("--var-file", "absent.tfvars"), "absent.tfvars: --var-file: no such file"),
    (("--var-file", "broken.tfvars"), "broken.tfvars: --var-file: not a Terraform variable file"),
    (("--var-file", "broken.tfvars.json"), "broken.tfvars.json:2: --var-file: not a Terraform variable file"),
])
def test_bad_variables_stop_the_scan(cli, tmp_path: Path, monkeypatch, args, problem: str) -> None:
    (tmp_path / "broken.tfvars").write_text('enable = "unterminated\n')
    (tmp_path / "broken.tfvars.json").write_text('{"enable": \n')
    monkeypatch.chdir(tmp_path)
    run = cli("scan", TIER1, "--tier", "1", *args)
    lines = run.err.strip().splitlines()
    assert run.code == 2 and len(lines) == 1 and problem in lines[0] and "Traceback" not in run.err, run.err


@pytest.mark.parametrize("how", ["env", "var-file", "var"])
def test_values_from_outside_reach_the_root_module_only(cli, tmp_path: Path, monkeypatch, how: str) -> None:
    # The module's own `enable` (default false) decides its association; Terraform gives the root's
    # TF_VAR_enable / -var-file / -var to the root module alone, so the WAF is not created.
    waf = (TIER1 / "waf.tf").read_text()
    start = waf.index('resource "aws_wafv2_web_acl_association" "web"')
    end = waf.index("}\n", start) + 2
    module = ('variable "enable" {\n  default = false\n}\nvariable "lb" {}\nvariable "acl" {}\n'
              'resource "aws_wafv2_web_acl_association" "web" {\n  count        = var.enable ? 1 : 0\n'
              '  resource_arn = var.lb\n  web_acl_arn  = var.acl\n}\n')
    root = _tree(tmp_path, {"waf.tf": waf[:start] + waf[end:], "modules/edge/main.tf": module,
                            "flags.tf": 'variable "enable" {\n  default = false\n}\n',
                            "edge.tf": 'module "edge" {\n  source = "./modules/edge"\n  lb     = aws_lb.web.arn\n'
                                       '  acl    = aws_wafv2_web_acl.web.arn\n}\n',
                            "on.tfvars": "enable = true\n"})
    args = {"env": (), "var-file": ("--var-file", root / "on.tfvars"), "var": ("--var", "enable=true")}[how]
    if how == "env":
        monkeypatch.setenv("TF_VAR_enable", "true")
    run = cli("scan", root, "--tier", "1", "--format", "json", *args)
    assert run.control("waf")["status"] == "fail"
    assert ("CKV2_TWB_001", "aws_lb.web") in _failing(run, "waf")
