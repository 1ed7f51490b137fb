"""Every check and stack rule of the foundation passes and fails on fixtures, at the right resource and line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from brokerguard.catalog import load_catalog
from brokerguard.profile import Profile
from brokerguard.scan import scan
from conftest import EXAMPLES, FIXTURES, declared_at, judged

TF = FIXTURES / "terraform"
AS_OF = dt.date(2024, 6, 30)


CASES = [
    # check id, directory, resource, expected result (line: where the resource block starts)
    ("CKV_TWB_001", EXAMPLES / "tier1-compliant", "aws_instance.order", "passed"),
    ("CKV_TWB_001", EXAMPLES / "nonc-missing-classification", "aws_instance.quotes", "failed"),
    ("CKV_TWB_001", EXAMPLES / "nonc-missing-classification", "aws_dynamodb_table.sessions", "failed"),
    ("CKV_TWB_001", EXAMPLES / "nonc-missing-classification", "aws_s3_bucket.archive", "passed"),
    ("CKV_TWB_002", TF / "core-public-ip", "aws_instance.core_public", "failed"),
    ("CKV_TWB_002", TF / "core-public-ip", "aws_launch_template.core_lt", "failed"),
    ("CKV_TWB_002", TF / "core-public-ip", "aws_instance.core_private", "passed"),
    ("CKV_TWB_003", EXAMPLES / "nonc-public-core-db", "aws_db_instance.settlement", "failed"),
    ("CKV_TWB_003", EXAMPLES / "tier1-compliant", "aws_db_instance.ledger", "passed"),
    ("CKV_TWB_004", TF / "cloudfront", "aws_cloudfront_distribution.protected", "passed"),
    ("CKV_TWB_004", TF / "cloudfront", "aws_cloudfront_distribution.classic", "failed"),
    ("CKV_TWB_004", TF / "cloudfront", "aws_cloudfront_distribution.bare", "failed"),
    ("CKV2_TWB_001", EXAMPLES / "tier1-compliant", "aws_lb.web", "passed"),
    ("CKV2_TWB_001", EXAMPLES / "nonc-alb-without-waf", "aws_lb.web", "failed"),
    ("CKV2_TWB_001", EXAMPLES / "nonc-alb-without-waf", "aws_lb.internal", "passed"),
    ("CKV2_TWB_002", TF / "api-gateway", "aws_api_gateway_stage.protected", "passed"),
    ("CKV2_TWB_002", TF / "api-gateway", "aws_api_gateway_stage.bare", "failed"),
    ("CKV2_TWB_003", TF / "appsync", "aws_appsync_graphql_api.protected", "passed"),
    ("CKV2_TWB_003", TF / "appsync", "aws_appsync_graphql_api.bare", "failed"),
    ("TWB_STACK_001", EXAMPLES / "tier1-compliant", "aws_db_instance.ledger", "passed"),
    ("TWB_STACK_001", EXAMPLES / "nonc-public-core-db", "aws_db_instance.settlement", "failed"),
    ("TWB_STACK_001", TF / "core-public-ip", "aws_instance.core_private", "failed"),  # Elastic IP
    ("TWB_STACK_001", TF / "core-public-ip", "aws_instance.core_default_vpc", "failed"),
    ("TWB_STACK_001", TF / "module-core", "module.app.aws_instance.api", "failed"),
    ("TWB_STACK_001", TF / "named-subnet-group", "aws_db_instance.ledger", "failed"),  # group found by name
    ("TWB_STACK_002", EXAMPLES / "tier1-compliant", "aws_instance.order", "passed"),
    ("TWB_STACK_002", EXAMPLES / "nonc-public-core-db", "aws_db_instance.settlement", "failed"),
    ("TWB_STACK_003", EXAMPLES / "tier1-compliant", "aws_vpc.trading", "passed"),
    ("TWB_STACK_003", EXAMPLES / "tier4-compliant", "aws_vpc.main", "failed"),
    ("TWB_STACK_003", EXAMPLES / "nonc-alb-without-waf", "(stack)", "failed"),
]


@pytest.mark.parametrize(("check_id", "path", "resource", "expected"), CASES,
                         ids=[f"{c[0]}-{c[1].name}-{c[2]}" for c in CASES])
def test_check_outcome(check_id: str, path: Path, resource: str, expected: str) -> None:
    line = declared_at(path, resource)
    found = judged(path).get((check_id, resource))
    assert found is not None, f"{check_id} did not judge {resource} in {path.name}: {sorted(judged(path))}"
    assert (found[0], found[1]) == (expected, line), found


def test_every_check_and_rule_has_a_passing_and_a_failing_case() -> None:
    catalog = load_catalog()
    ours = {i for i in catalog.check_ids | catalog.stack_rule_ids if "TWB" in i}
    foundation = {c[0] for c in CASES}
    for check_id in ours & foundation:
        outcomes = {c[3] for c in CASES if c[0] == check_id}
        assert outcomes == {"passed", "failed"}, check_id


def test_non_core_resources_are_not_judged_for_isolation() -> None:
    found = judged(TF / "core-public-ip")
    assert ("CKV_TWB_002", "aws_instance.noncore_public") not in found
    assert ("TWB_STACK_001", "aws_instance.noncore_public") not in found


def test_literal_subnet_outside_the_stack_is_not_called_the_default_vpc() -> None:
    result, _, message, _ = judged(TF / "core-public-ip")[("TWB_STACK_001", "aws_instance.core_public")]
    assert "default VPC" not in message


def test_failure_messages_name_the_cause() -> None:
    found = judged(EXAMPLES / "nonc-public-core-db")
    assert "aws_route_table.public" in found[("TWB_STACK_001", "aws_db_instance.settlement")][2]
    assert "whole IPv4 internet: aws_security_group.db ingress (line 53)" in found[("TWB_STACK_002", "aws_db_instance.settlement")][2]
    quotes = judged(EXAMPLES / "nonc-missing-classification")[("CKV_TWB_001", "aws_dynamodb_table.sessions")][2]
    assert "'twb:integrity' must be high, medium or low, got 'critical'" in quotes
    assert "missing tag 'twb:system'" in quotes


def test_provider_default_tags_count_for_classification() -> None:
    # aws_instance.order declares only twb:class; the rest comes from the provider's default_tags.
    assert judged(EXAMPLES / "tier1-compliant")[("CKV_TWB_001", "aws_instance.order")][0] == "passed"


def test_profile_tag_keys_replace_the_defaults() -> None:
    keys = {"system": "System", "class": "Class", "confidentiality": "C", "integrity": "I",
            "availability": "A", "legal_compliance": "L"}
    out = scan([EXAMPLES / "tier1-compliant"], Profile(tier=1, tag_keys=keys), AS_OF, load_catalog())
    cls = next(r for r in out.results if r.control.id == "system-classification")
    assert cls.status.value == "fail"
    assert {j.finding.resource for j in cls.failed_findings} >= {"aws_instance.order", "aws_db_instance.ledger"}
    # Nothing is core under those keys, so nothing is judged for isolation.
    firewall = next(r for r in out.results if r.control.id == "firewall")
    assert not any(j.finding.check_id == "CKV_TWB_002" for j in firewall.findings)


def test_results_do_not_depend_on_what_ran_before() -> None:
    first = scan([EXAMPLES / "nonc-public-core-db"], Profile(tier=1), AS_OF, load_catalog())
    scan([EXAMPLES / "tier1-compliant"], Profile(tier=1), AS_OF, load_catalog())
    again = scan([EXAMPLES / "nonc-public-core-db"], Profile(tier=1), AS_OF, load_catalog())

    def shape(s):  # noqa: ANN001, ANN202
        return [(r.control.id, r.status, [(j.finding.check_id, j.finding.resource, j.result) for j in r.findings])
                for r in s.results]

    assert shape(first) == shape(again)
    for r in again.results:  # a control that includes another reports its findings too, but each once
        findings = [j.finding for j in r.findings]
        assert len(findings) == len(set(findings)), f"a check ran twice ({r.control.id})"
