"""How brokerguard loads Checkov: without its ~1,000 built-in Terraform checks (much of Checkov's
start-up), still registering and running every check of ours; and with a linear lookup of
reference targets that answers as Checkov's quadratic one does."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from conftest import EXAMPLES, REPO

SCRIPT = """
import json, sys
from brokerguard.cli import main
code = main(["scan", sys.argv[1], "--tier", "3", "--as-of", "2024-06-30", "--format", "json", "--output", sys.argv[2]])
from checkov.terraform.checks.resource.registry import resource_registry
ids = sorted({c.id for checks in resource_registry.checks.values() for c in checks})
print(json.dumps({"code": code, "ids": ids, "aws": len(sys.modules["checkov.terraform.checks.resource.aws"].__all__)}))
"""


def test_a_scan_loads_our_checks_and_no_built_in_one(tmp_path) -> None:
    out = tmp_path / "report.json"
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(EXAMPLES / "nonc-public-core-db"), str(out)],
                          cwd=REPO, capture_output=True, text=True, check=True)
    loaded = json.loads(proc.stdout.strip().splitlines()[-1])
    ours = sorted(p.name[:11] for p in (REPO / "policies" / "checkov").glob("CKV_TWB_*.py"))
    assert loaded["ids"] == ours and loaded["aws"] == 0
    assert loaded["code"] == 1
    firewall = next(c for c in json.loads(out.read_text())["controls"] if c["id"] == "firewall")
    assert ("CKV_TWB_003", "aws_db_instance.settlement") in {(f["check_id"], f["resource"]) for f in firewall["findings"]
                                                             if f["result"] == "failed"}


def test_reference_lookup_index_gives_checkovs_answer() -> None:
    """The indexed lookup of a reference's target answers exactly as Checkov's own scan does."""
    from brokerguard import compat_checkov

    compat_checkov.import_checkov()
    from checkov.terraform.graph_builder.local_graph import TerraformLocalGraph

    fast = TerraformLocalGraph._get_possible_vertices
    slow = fast.__wrapped__

    class Graph:
        vertices_by_module_dependency_by_name = {None: {"resource": {
            "aws_lb.web[0]": [1], "aws_lb.web[1]": [2], "aws_lb.api": [3], 'aws_s3_bucket.b["x"]': [4],
            "aws_lb.web2[0]": [5], "aws_lb.empty[0]": [], "aws_lb.empty[1]": [6]}}}

    graph = Graph()
    names = ["aws_lb.web", "aws_lb.api", "aws_lb.web2", "aws_s3_bucket.b", 'aws_s3_bucket.b["x"]', "aws_lb",
             "aws_lb.we", "nope", "aws_lb.web[0]", "aws_lb.empty", "aws_s3_bucket.b[\\\"x\\\"]"]
    for name in names:
        assert fast(graph, None, "resource", name) == slow(graph, None, "resource", name), name
    assert fast(graph, None, "resource", "aws_lb.web") == [1]
    assert fast(graph, "other-module", "resource", "aws_lb.web") == []
    graph.vertices_by_module_dependency_by_name[None]["resource"]["aws_lb.new[0]"] = [7]  # the graph grows
    assert fast(graph, None, "resource", "aws_lb.new") == slow(graph, None, "resource", "aws_lb.new") == [7]


def test_remembered_evaluations_answer_as_checkov_and_are_fresh_copies() -> None:
    """An attribute text evaluated again gives Checkov's own answer, and a list or map answer is a copy
    that Checkov may change without changing the next answer."""
    from brokerguard import compat_checkov

    compat_checkov.import_checkov()
    from checkov.terraform.graph_builder.variable_rendering import evaluate_terraform as module

    remembered, original = module.evaluate_terraform, module.evaluate_terraform.__wrapped__
    texts = ["${string}", "[\"10.0.0.0/16\", \"10.1.0.0/16\"]", '{"a": "b"}', "${1 + 2}", "${var.x == \"a\" ? true : false}",
             "${aws_vpc.main.id}", 'merge({"a": 1}, {"b": 2})', "true", "${tolist([1, 2])}", 'lower("ABC")', None, 7]
    for text in texts:
        for keep in (True, False):
            assert remembered(text, keep) == remembered(text, keep) == original(text, keep), (text, keep)
    first = remembered('["10.0.0.0/16"]', False)
    assert first == ["10.0.0.0/16"]
    first.append("0.0.0.0/0")  # as Checkov updates a rendered attribute in place
    assert remembered('["10.0.0.0/16"]', False) == ["10.0.0.0/16"]


def test_an_unverified_checkov_version_fails_in_one_place(monkeypatch) -> None:
    """An upgrade of Checkov is re-verified in brokerguard/compat_checkov.py, not discovered in a scan."""
    from brokerguard import compat_checkov

    monkeypatch.setitem(compat_checkov.VERIFIED, "checkov", "0.0.1")
    try:
        compat_checkov._assert_versions()
    except compat_checkov.IncompatibleCheckovError as exc:
        assert "checkov 3.3.30 (verified: 0.0.1)" in str(exc) and "_get_possible_vertices" in str(exc)
    else:
        raise AssertionError("a version other than the verified one was accepted")


def test_a_patched_attribute_with_another_signature_fails_in_one_place(monkeypatch) -> None:
    from brokerguard import compat_checkov

    compat_checkov.import_checkov()
    patched = list(compat_checkov.PATCHED)
    module, attribute, params = patched[2]
    patched[2] = (module, attribute, (*params, "new_argument"))
    monkeypatch.setattr(compat_checkov, "PATCHED", tuple(patched))
    try:
        compat_checkov._assert_patched_attributes()
    except compat_checkov.IncompatibleCheckovError as exc:
        assert attribute in str(exc)
    else:
        raise AssertionError("a changed signature was accepted")


def _typed(value: object) -> object:
    """A loaded tree with every node's type and marks' lines spelled out, for an exact comparison."""
    marks = (getattr(value, "start_mark", None), getattr(value, "end_mark", None))
    lines = tuple(m.line for m in marks if m is not None)
    if isinstance(value, dict):
        return (type(value).__name__, lines, [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return (type(value).__name__, lines, [_typed(v) for v in value])
    return (type(value).__name__, lines, value)


def test_one_line_plans_load_as_checkovs_yaml_loader_loads_them(tmp_path) -> None:
    """Every committed plan, and brokerguard's translation of a Pulumi program, read through the json
    module gives node for node what Checkov's YAML loader gives (types, key order, numbers, lines)."""
    from brokerguard import compat_checkov

    compat_checkov.import_checkov()
    from checkov.cloudformation.parser import cfn_yaml

    fast, checkovs = cfn_yaml.loads, cfn_yaml.loads.__wrapped__
    from brokerguard.scan import open_source

    plans = sorted(p for folder in ("tests/fixtures", "iac_examples") for p in (REPO / folder).rglob("*.json")
                   if '"planned_values"' in p.read_text())[::3]  # a third: Checkov's loader takes a while
    translated = tmp_path / "translated.json"  # as _run_plan writes a Pulumi export's plan for Checkov
    translated.write_text(json.dumps(open_source(REPO / "iac_examples/pulumi/tier4-compliant.export.json").plan))
    odd = tmp_path / "numbers.json"  # numbers YAML 1.1 reads as text, or as floats; an empty mapping; unicode
    odd.write_text(json.dumps({"planned_values": {}, "terraform_version": "1.11.4", "e": {}, "b": [True, None],
                               "n": [1e-05, 1.5, 2e+20, -0.0, 10, 3.0e-7], "s": "台北 \u00e9 \\ \"q\""}))
    one_line = 0
    for plan in [*plans, translated, odd]:
        text = plan.read_text()
        try:
            expected = _typed(checkovs(text, str(plan), cfn_yaml.ContentType.TFPLAN))
        except cfn_yaml.CfnParseError as exc:  # a broken fixture: the same error, from Checkov's loader
            with pytest.raises(cfn_yaml.CfnParseError, match=re.escape(exc.message)):
                fast(text, str(plan), cfn_yaml.ContentType.TFPLAN)
            continue
        assert _typed(fast(text, str(plan), cfn_yaml.ContentType.TFPLAN)) == expected, plan
        one_line += "\n" not in text.strip()
    assert one_line >= 30  # the fast path was taken for the committed plans, not only the fallback
