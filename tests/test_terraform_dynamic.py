"""dynamic blocks expanded as Terraform expands them (providers/terraform_dynamic.py), the expressions
they are written with (providers/terraform_expressions.py), and the cases Checkov's own expansion got
wrong when measured (it is switched off). The real plans of the tier-1 mutants written with dynamic
blocks are in tests/test_terraform_oracle.py; the outcomes of the fixture in tests/test_check_outcomes.py."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from test_terraform_oracle import PLANS, _judge, mutants

from brokerguard.providers.terraform_dynamic import ModuleScope, convert
from brokerguard.providers.terraform_expressions import EvalError, HclSet, Link, Unknown, evaluate
from brokerguard.providers.terraform_values import ParsedModules
from conftest import FIXTURES, REPO, declared_at, judged

DYN = FIXTURES / "terraform" / "dynamic-blocks"


class Values:
    """A scope of a few known variables and one iterator."""

    names = frozenset({"rule"})

    def __init__(self, variables: dict, element: dict) -> None:
        self.variables, self.element = variables, element
        self.module = ModuleScope(ParsedModules(variables={"/nowhere": {"unset": {}}}), "/nowhere", {}, None)

    def reference(self, root: str, attribute: str | None) -> object:
        if root == "var" and attribute in self.variables:
            return self.variables[attribute]
        if root == "rule":
            return self.element if attribute is None else self.element[attribute]
        return self.module.reference(root, attribute)


SCOPE = Values({"rules": [{"name": "a", "on": True, "cidr": "10.0.0.0/8"}, {"name": "b", "on": False, "cidr": "0.0.0.0/0"}],
                "a": ["10.0.0.0/8"]},
               {"key": 0, "value": {"name": "n", "overrides": ["x"]}})


@pytest.mark.parametrize(("text", "value"), [
    ('${[for r in var.rules : r.cidr if r.on]}', ["10.0.0.0/8"]),  # Checkov: ["r if r.enabled", "r if r.enabled"]
    ('${{for r in var.rules : r.name => r.cidr}}', {"a": "10.0.0.0/8", "b": "0.0.0.0/0"}),
    ('${lookup(rule.value,"overrides",[])}', ["x"]),
    ('${lookup(rule.value,"missing",[])}', []),
    ('${try(rule.value.statement[0].x,None)}', None),  # bc-python-hcl2 writes null as None
    ('x-${rule.value.name}-${rule.key}', "x-n-0"),
    ('${toset(["b","a","b"])}', HclSet(("a", "b"))),
    ('${flatten([var.a, ["9.0.0.0/8"]])}', ["10.0.0.0/8", "9.0.0.0/8"]),
    ("${merge({'a': 1}, {'b': rule.value.name})}", {"a": 1, "b": "n"}),  # maps inside expressions, as Python writes them
    ('${rule.value.name == "n" ? [1] : []}', [1]),
    ('${aws_cloudwatch_log_group.flow.name}', "aws_cloudwatch_log_group.flow.name"),  # an identity: kept as its link
])
def test_expressions_evaluate_as_terraform_does(text: str, value: object) -> None:
    assert evaluate(text, SCOPE) == value


@pytest.mark.parametrize(("text", "unknown"), [
    ('${flatten([var.a, var.unset])}', "var.unset"),  # Checkov: the characters of "${var.unset}"
    ('${concat(var.a, var.unset)}', "var.unset"),
    ('${aws_vpc.main.cidr_block}', "aws_vpc.main.cidr_block"),  # not an identity: known only after apply
    ('${aws_vpc.main.id != null}', "aws_vpc.main.id"),  # a link's text is not its value
    ('${"arn:${aws_vpc.main.arn}"}', "aws_vpc.main.arn"),
    ('${toset([aws_vpc.main.id])}', "aws_vpc.main.id"),  # unknown elements may be equal: the size is unknown
    ('${var.rules[*].name}', "splat"),
    ('${format("%s", 1)}', "format"),
])
def test_what_cannot_be_known_is_unknown_naming_why(text: str, unknown: str) -> None:
    with pytest.raises(Unknown) as raised:
        evaluate(text, SCOPE)
    assert unknown in raised.value.reason and raised.value.reason.zh


def test_an_expression_terraform_rejects_is_caught_by_try_and_can_only() -> None:
    with pytest.raises(EvalError):
        evaluate("${rule.value.missing}", SCOPE)
    assert evaluate("${can(rule.value.missing)}", SCOPE) is False
    assert evaluate('${try(rule.value.missing, "d")}', SCOPE) == "d"
    assert isinstance(evaluate("${rule.value.name}", SCOPE), str)
    assert isinstance(evaluate("${aws_lb.web.arn}", SCOPE), Link)


def test_variables_are_converted_to_their_declared_type() -> None:
    rules = "list(object({ name = string, count = optional(bool, false), port = optional(number, 443) }))"
    assert convert([{"name": "a", "extra": 1}], rules) == [{"name": "a", "count": False, "port": 443}]
    assert convert(["b", "a", "b"], "set(string)") == HclSet(("a", "b"))  # iterated by element, sorted
    assert convert({"x": {"ports": ["80", "22"]}}, "map(object({ ports = set(number) }))") == {"x": {"ports": HclSet((22, 80))}}
    with pytest.raises(EvalError):
        convert([{"count": True}], rules)  # name is required: Terraform refuses the value


def _finding(check: str, resource: str) -> tuple[str, int, str, bool]:
    found = judged(DYN).get((check, resource))
    assert found is not None, sorted(judged(DYN))
    assert found[1] == declared_at(DYN, resource)
    return found


def test_a_protection_written_over_an_unknown_collection_cannot_be_judged_and_says_why() -> None:
    for check, resource in (("CKV_TWB_011", "aws_networkfirewall_logging_configuration.unknown"),
                            ("CKV_TWB_013", "aws_wafv2_web_acl.unknown_rules")):
        result, _, message, _ = _finding(check, resource)
        assert result == "failed"
        assert message.startswith("cannot judge:") and "var.not_set" in message and "has no value" in message


def test_nested_dynamic_blocks_see_the_outer_iterator() -> None:
    # override_action of each rule is a dynamic "count" or "none" over rule.value.count
    result, _, message, _ = _finding("CKV_TWB_013", "aws_wafv2_web_acl.counted")
    assert result == "failed" and "AWSManagedRulesKnownBadInputsRuleSet" in message and "cannot judge" not in message
    assert _finding("CKV_TWB_013", "aws_wafv2_web_acl.blocking")[:2] == ("passed", declared_at(DYN, "aws_wafv2_web_acl.blocking"))


def test_an_exposure_over_an_unknown_collection_is_never_a_pass(tmp_path: Path) -> None:
    """An open ingress written over a variable with no value (Terraform cannot even plan it): the
    database's network controls cannot pass."""
    (tmp_path / "main.tf").write_text(
        'variable "cidrs" {\n  type = list(string)\n}\n'
        'resource "aws_security_group" "db" {\n  name = "db"\n  dynamic "ingress" {\n    for_each = var.cidrs\n'
        '    content {\n      from_port   = 5432\n      to_port     = 5432\n      protocol    = "tcp"\n'
        '      cidr_blocks = [ingress.value]\n    }\n  }\n}\n'
        'resource "aws_db_instance" "ledger" {\n  identifier = "ledger"\n  engine = "postgres"\n'
        '  instance_class = "db.m6i.large"\n  publicly_accessible = false\n'
        '  vpc_security_group_ids = [aws_security_group.db.id]\n'
        '  tags = {\n    "twb:class" = "core"\n  }\n}\n')
    result, line, message, _ = judged(tmp_path)[("TWB_STACK_002", "aws_db_instance.ledger")]
    assert (result, line) == ("failed", 16)
    assert "cannot judge" in message and "var.cidrs" in message


# What the expansion must equal in the real plan, per attribute it writes: the fields that tell blocks apart.
PLANNED_FIELDS = {
    "rule": ("name", "priority"),
    "ingress": ("from_port", "cidr_blocks", "description"),
    "logging_configuration": ("log_destination_config",),
}


def _planned(module: dict) -> dict[str, dict]:
    out = {r["address"]: r["values"] for r in module.get("resources", [])}
    for child in module.get("child_modules", []):
        out.update(_planned(child))
    return out


def _fields(blocks: object, names: tuple[str, ...]) -> list[str]:
    items = blocks if isinstance(blocks, list) else [blocks]
    return sorted(json.dumps({n: _shape(b.get(n)) for n in names}, sort_keys=True) for b in items if isinstance(b, dict))


def _known_after_apply(marks: object) -> bool:
    """Whether a plan's after_unknown marks any part of a value (true somewhere in it)."""
    if isinstance(marks, list):
        return any(_known_after_apply(m) for m in marks)
    if isinstance(marks, dict):
        return any(_known_after_apply(m) for m in marks.values())
    return marks is True


def _shape(value: object) -> object:
    """A value without the order of sets and without single-element wrapping (HCL's parse keeps both)."""
    if isinstance(value, list):
        items = [_shape(v) for v in value]
        return sorted(items, key=json.dumps)
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items() if k in ("log_type", "log_destination_type")} or value
    return "" if value is None else value  # an optional string not written: the plan holds ""


@pytest.mark.parametrize("name", [m.name for m in mutants.MUTANTS if m.name.startswith("dynamic-")
                                  and (PLANS / f"{m.name}.plan.json").is_file()])
def test_expanded_blocks_equal_the_blocks_of_the_real_plan(name: str, tmp_path: Path) -> None:
    """Block by block, not only the verdict: each attribute the expansion wrote holds the blocks
    Terraform planned (for the tier-1 mutants written with dynamic blocks)."""
    mutant = next(m for m in mutants.MUTANTS if m.name == name)
    result = _judge(mutants.write(mutant, tmp_path))
    plan = json.loads((PLANS / f"{name}.plan.json").read_text())
    planned = _planned(plan["planned_values"]["root_module"])
    unknown = {c["address"]: c["change"].get("after_unknown", {}) for c in plan["resource_changes"]}
    compared = undecided = 0
    for resource in result.resources:
        lines = Path(resource.file).read_text().splitlines()[resource.line - 1: resource.end_line]
        if not any('dynamic "' in line for line in lines):
            continue  # written without dynamic blocks: the provider's defaults fill what was not written
        for attr, names in PLANNED_FIELDS.items():
            if resource.address not in planned:
                continue
            if attr not in planned[resource.address]:  # a plan leaves out what it knows only after apply
                undecided += unknown[resource.address].get(attr) is True
                continue
            want, got = planned[resource.address][attr], resource.values.get(attr, [])
            marks = unknown[resource.address].get(attr)
            if attr == "logging_configuration":
                want, got = want[0]["log_destination_config"], got[0]["log_destination_config"] if got else []
                names = ("log_type", "log_destination_type")
                marks = marks[0].get("log_destination_config") if isinstance(marks, list) and marks else marks
            if marks is True or any(_known_after_apply({n: m.get(n) for n in names})
                                    for m in (marks if isinstance(marks, list) else []) if isinstance(m, dict)):
                undecided += 1
                continue  # the plan does not know these fields either
            assert _fields(got, names) == _fields(want, names), (resource.address, attr)
            compared += 1
    # An empty ingress is computed by the provider, an after-apply one unknown: the plan cannot tell either.
    assert compared or (undecided and name in ("dynamic-ingress-empty", "dynamic-ingress-after-apply-open")), name


def test_a_module_called_with_for_each_expands_each_instance_over_its_own_arguments(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "main.tf").write_text(
        'variable "cidrs" {\n  type = list(string)\n}\nresource "aws_security_group" "this" {\n  name = "x"\n'
        '  dynamic "ingress" {\n    for_each = var.cidrs\n    iterator = cidr\n    content {\n      from_port   = 443\n'
        '      to_port     = 443\n      protocol    = "tcp"\n      cidr_blocks = [cidr.value]\n'
        '      description = "n${cidr.key}"\n    }\n  }\n}\n')
    (tmp_path / "main.tf").write_text(
        'module "sg" {\n  source   = "./m"\n  for_each = { a = ["10.0.0.0/8"], b = ["0.0.0.0/0", "10.1.0.0/16"] }\n'
        "  cidrs    = each.value\n}\n")
    found = {r.address: r.values.get("ingress") for r in _judge(tmp_path).resources}
    assert found['module.sg["a"].aws_security_group.this'] == [
        {"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/8"], "description": "n0"}]
    assert [(i["cidr_blocks"], i["description"]) for i in found['module.sg["b"].aws_security_group.this']] == [
        (["0.0.0.0/0"], "n0"), (["10.1.0.0/16"], "n1")]


# Filled in by the AWS provider, not written in the configuration: the plan holds them, HCL cannot.
PROVIDER_DEFAULTS = ("evaluation_window_sec=", "oversize_handling=", ".self=")


def _leaves(value: object, path: str = "") -> set[str]:
    """Every written leaf of a block as `path=value` (empty marker blocks such as `none {}` add nothing)."""
    if isinstance(value, dict):
        return {leaf for k, v in value.items() for leaf in _leaves(v, f"{path}.{k}")}
    if isinstance(value, list):
        if value and not any(isinstance(v, (dict, list)) for v in value):
            return {f"{path}={sorted(json.dumps(v) for v in value)}"}
        return {leaf for v in value for leaf in _leaves(v, path)}
    if value is None or value == "":
        return set()
    leaf = f"{path}={json.dumps(value)}"
    return set() if any(d in leaf for d in PROVIDER_DEFAULTS) else {leaf}


def test_a_generated_community_style_module_expands_as_terraform_plans_it(tmp_path: Path) -> None:
    """The benchmark's WAFv2 and security-group modules (nested dynamic rules, statements in and/or/not
    statements, field_to_match, text transformations, lookups): every rule and ingress block, with
    every leaf, equals the real plan's (tests/fixtures/terraform_dynamic_module/regenerate.py)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from generate import generate_dynamic

    generate_dynamic(tmp_path / "tree", 12, 7)
    plan = json.loads((FIXTURES / "terraform_dynamic_module" / "plan.json").read_text())
    planned = _planned(plan["planned_values"]["root_module"])
    found = {r.address: r.values for r in _judge(tmp_path / "tree" / "examples" / "complete").resources}
    for address, attr, order in (("module.waf.aws_wafv2_web_acl.this", "rule", "priority"),
                                 ("module.alb_sg.aws_security_group.this", "ingress", "from_port")):
        want = sorted(planned[address][attr], key=lambda b: b[order])
        got = sorted(found[address][attr], key=lambda b: b[order])
        assert len(got) == len(want) >= 12
        for w, g in zip(want, got, strict=True):
            assert _leaves(g) == _leaves(w), (address, w[order])


@pytest.mark.parametrize(("written", "rendered", "cannot_judge"), [
    ('${var.on == "true" ? true : false}', [True], True),  # Terraform: a bool is never equal to a string
    ('${var.on == "true" ? true : false}', [False], False),
    ('${var.on ? "0.0.0.0/0" : "10.0.0.0/8"}', ["0.0.0.0/0"], False),
    ('${var.on != true ? "0.0.0.0/0" : "10.0.0.0/8"}', ["0.0.0.0/0"], True),
    ('${var.port == 5432 ? 5432 : 3306}', ["5432"], False),  # Checkov's number as text is the same number
    ('${var.port == "5432" ? 5432 : 3306}', [5432], True),
    ('${var.on && var.port > 1 ? toset(["80", "443"]) : toset([])}', [[443, 80]], False),  # a set in any order
    ('${var.on ? toset(["80"]) : toset([])}', [["0.0.0.0/0"]], True),
    ('${aws_vpc.main.id == "x" ? true : false}', [True], False),  # brokerguard cannot evaluate it: Checkov's stays
    ("${var.on}", ["anything"], False),  # no comparison, conditional or logic: not compared
])
def test_checkovs_rendering_is_cross_checked_against_terraforms_types(written: str, rendered: list,
                                                                      cannot_judge: bool) -> None:
    from brokerguard.providers.terraform_dynamic import disagreements

    scope = ModuleScope(ParsedModules(variables={"/m": {"on": {"default": True}, "port": {"default": 5432}}}),
                        "/m", {}, None)
    found = disagreements({"attr": rendered}, {"attr": json.dumps([written])}, "aws_x.y", scope)
    assert ("attr" in found) is cannot_judge
    if cannot_judge:
        assert "Checkov renders it otherwise than Terraform's types" in found["attr"] and "Terraform 依型別" in found["attr"].zh
