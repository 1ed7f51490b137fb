"""How brokerguard loads Checkov: without its ~1,000 built-in Terraform checks (much of Checkov's
start-up), still registering and running every check of ours; and with a linear lookup of
reference targets that answers as Checkov's quadratic one does."""

from __future__ import annotations

import json
import subprocess
import sys

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
