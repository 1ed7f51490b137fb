"""Variables typed with optional() attributes, converted as Terraform converts them
(providers/terraform_types.py). The verdicts on real plans of such trees are in the oracle corpus
(optional-* mutants, test_terraform_oracle.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from brokerguard.errors import InputError
from brokerguard.providers.terraform_types import UnknownValueError, argument_rewrites, convert, parse_type, typed_values
from conftest import FIXTURES

sys.path.insert(0, str(FIXTURES / "terraform_mutants"))
import mutants

NESTED = "object({ db = optional(object({ public = optional(bool, false), zones = optional(list(string), []) }), {}) })"


@pytest.mark.parametrize("type_text,value,expected", [
    ("object({ public = optional(bool, true) })", {}, {"public": True}),
    ("object({ public = optional(bool, true) })", {"public": None}, {"public": True}),  # null takes the default
    ("object({ public = optional(bool) })", {}, {"public": None}),
    ("object({ public = optional(bool, true) })", {"public": "false", "extra": 1}, {"public": False}),
    (NESTED, {}, {"db": {"public": False, "zones": []}}),  # the default converted: nested defaults apply
    (NESTED, {"db": {"public": True}}, {"db": {"public": True, "zones": []}}),
    ("list(object({ cidr = string, port = optional(number, 5432) }))", [{"cidr": "0.0.0.0/0"}],
     [{"cidr": "0.0.0.0/0", "port": 5432}]),
    ('map(object({\n  public = optional(bool, false) # comment\n  "name" = optional(string, "x")\n}))', {"a": {}},
     {"a": {"public": False, "name": "x"}}),
    ("tuple([string, object({ n = optional(number, 1) })])", ["a", {}], ["a", {"n": 1}]),
    ("object({ port = number, name = string })", {"port": "443", "name": 8}, {"port": 443, "name": "8"}),
    ("object({ public = optional(bool, true) })", None, None),
])
def test_values_are_converted_as_terraform_converts_them(type_text: str, value: object, expected: object) -> None:
    assert convert(value, parse_type(type_text), "v") == expected


@pytest.mark.parametrize("type_text,value", [
    ("object({ public = optional(bool, true) })", {"public": "${var.other}"}),  # an expression stays unknown
    ("object({ public = optional(bool, var.x) })", {}),  # a default that is not a literal
    ("object({ public = optional(bool, true) })", "text"),
    ("object({ n = number })", {"n": "many"}),
    ("custom(string)", {}),
])
def test_what_brokerguard_cannot_convert_stays_unknown(type_text: str, value: object) -> None:
    with pytest.raises(UnknownValueError):
        convert(value, parse_type(type_text), "v")


def test_a_required_attribute_missing_is_refused_as_terraform_refuses_it() -> None:
    with pytest.raises(InputError, match=r'v\[0\]: attribute "cidr" is required'):
        convert([{"port": 1}], parse_type("list(object({ cidr = string, port = number }))"), "v")


def test_typed_values_take_the_given_value_else_the_default_and_override_files(tmp_path: Path) -> None:
    (tmp_path / "vars.tf").write_text('variable "a" {\n  type = object({\n    on = optional(bool, true)\n  })\n'
                                      '  default = { on = false }\n}\nvariable "b" {\n'
                                      '  type = object({ on = optional(bool, true) })\n}\n'
                                      'variable "plain" {\n  type    = bool\n  default = true\n}\n')
    (tmp_path / "vars_override.tf").write_text('variable "a" {\n  default = {}\n}\n')
    files = sorted(tmp_path.glob("*.tf"))
    assert typed_values(files, {}, "root") == {"a": {"on": True}}  # b has no value: unknown, left out
    assert typed_values(files, {"b": {}, "plain": False}, "root") == {"a": {"on": True}, "b": {"on": True}}


def test_a_literal_a_module_call_passes_is_rewritten_converted_on_its_own_lines(tmp_path: Path) -> None:
    (tmp_path / "variables.tf").write_text('variable "opts" {\n  type = object({ public = optional(bool, true) })\n}\n'
                                           'variable "plain" {\n  default = {}\n}\n')
    call = ('module "m" {\n  source = "./m"\n  plain = {\n    opts = {}\n  }\n  opts = {\n    # a comment\n  }\n'
            '}\nmodule "n" {\n  source = "./m"\n  opts = var.given\n}\n')
    spans = argument_rewrites(call, 1, [tmp_path / "variables.tf"], "m")
    assert [(call[a:b], text) for a, b, text in spans] == [("{\n    # a comment\n  }", '{"public": true}\n\n')]
    assert argument_rewrites(call, 10, [tmp_path / "variables.tf"], "n") == []  # an expression stays unknown


LEDGER = ("aws_db_instance.ledger", "app.tf:62")
TENANT = ("module.tenant.aws_db_instance.this", "modules/db/main.tf:10")  # the default rewritten on its own lines


@pytest.mark.parametrize("mutant,target,passed", [
    ("optional-default-public", LEDGER, False), ("optional-set-private", LEDGER, True),
    ("optional-nested-tfvars-public", LEDGER, False), ("optional-nested-default-private", LEDGER, True),
    ("optional-tfvars-json-empty-object-public", LEDGER, False), ("optional-var-null-attribute-public", LEDGER, False),
    ("optional-var-file-private", LEDGER, True),
    ("optional-module-default-public", TENANT, False), ("optional-module-default-private", TENANT, True),
    ("optional-module-argument-null-public", TENANT, False), ("optional-module-argument-empty-private", TENANT, True),
])
def test_the_check_sees_what_terraform_would(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mutant: str,
                                             target: tuple[str, str], passed: bool) -> None:
    m = next(x for x in mutants.MUTANTS if x.name == mutant)
    tree = mutants.write(m, tmp_path)
    monkeypatch.chdir(tree)  # --var-file paths are relative to the tree
    run = cli("scan", tree, "--tier", "1", "--format", "json", *m.args)
    resource, where = target
    found = [f for c in run.json["controls"] for f in c["findings"]
             if f["check_id"] == "CKV_TWB_003" and f["resource"] == resource]
    assert {(f["result"], f"{(tree / f['file']).resolve().relative_to(tree.resolve())}:{f['line']}") for f in found} == {
        ("passed" if passed else "failed", where)}
    assert not any("cannot judge" in (f.get("message") or "") for f in found)
