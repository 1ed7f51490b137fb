"""Every check and stack rule of the foundation passes and fails on fixtures, at the right resource and line."""

from __future__ import annotations

import datetime as dt

from brokerguard.catalog import load_catalog
from brokerguard.profile import Profile
from brokerguard.scan import scan
from conftest import EXAMPLES, FIXTURES, judged

TF = FIXTURES / "terraform"
AS_OF = dt.date(2024, 6, 30)


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
    opened = found[("TWB_STACK_002", "aws_db_instance.settlement")][2]
    assert "whole IPv4 internet: aws_security_group.db ingress (line 53)" in opened
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

    def shape(s):
        return [(r.control.id, r.status, [(j.finding.check_id, j.finding.resource, j.result) for j in r.findings])
                for r in s.results]

    assert shape(first) == shape(again)
    for r in again.results:  # a control that includes another reports its findings too, but each once
        findings = [j.finding for j in r.findings]
        assert len(findings) == len(set(findings)), f"a check ran twice ({r.control.id})"
