"""Firewall (beyond isolation), WAF (beyond association) and IDS/IPS: every check and rule passes and
fails on fixtures at the right resource and line; each non-compliant example fails exactly its control;
the profile settings change the outcome; evidence stands in only where the rule allows it."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import pytest

from brokerguard.catalog import load_catalog
from brokerguard.policies.waf import detects_sensitive_data
from brokerguard.profile import Evidence, Profile, load_profile
from brokerguard.scan import ScanResult, scan
from conftest import EXAMPLES, FIXTURES, REPO, judged

TF = FIXTURES / "terraform"
PROFILES = REPO / "iac_examples" / "profiles"
AS_OF = dt.date(2024, 6, 30)
OURS = {"firewall", "waf", "ids-ips"}


def _scan(path: Path, profile: Profile) -> ScanResult:
    return scan([path], profile, AS_OF, load_catalog())


def statuses(path: Path, profile: Profile) -> dict[str, str]:
    return {r.control.id: r.status.value for r in _scan(path, profile).results}


def test_retention_failures_name_the_destination_and_its_period() -> None:
    logs = judged(TF / "firewall-logging")
    cloudwatch = logs[("TWB_STACK_011", "aws_networkfirewall_logging_configuration.cloudwatch")]
    assert "ALERT: aws_cloudwatch_log_group.one_year" in cloudwatch[2] and "only 365 days" in cloudwatch[2]
    assert "FLOW" not in cloudwatch[2]  # the log group without retention never expires
    firehose = logs[("TWB_STACK_011", "aws_networkfirewall_logging_configuration.firehose")][2]
    assert "FLOW: aws_s3_bucket.short_logs" in firehose and "after 400 days" in firehose
    assert "ALERT: aws_kinesis_firehose_delivery_stream.to_siem delivers to splunk" in firehose


def test_only_an_undeclared_log_destination_may_be_covered_by_evidence() -> None:
    logs = judged(TF / "firewall-logging")
    assert logs[("TWB_STACK_011", "aws_networkfirewall_logging_configuration.alert_only")][3] is True
    assert logs[("TWB_STACK_011", "aws_networkfirewall_logging_configuration.cloudwatch")][3] is False
    assert logs[("TWB_STACK_011", "aws_networkfirewall_logging_configuration.firehose")][3] is False


def test_policy_findings_say_why() -> None:
    policies = judged(TF / "firewall-policy")
    assert "whitelist" in policies[("TWB_STACK_010", "aws_networkfirewall_firewall_policy.drop_strict")][2]
    managed = policies[("TWB_STACK_010", "aws_networkfirewall_firewall_policy.managed")][2]
    assert "blacklist" in managed and "ThreatSignaturesMalwareActionOrder" in managed
    shared = policies[("TWB_STACK_010", "aws_networkfirewall_firewall_policy.shared_groups")][2]
    assert "1 referenced rule group(s) are not declared in this stack" in shared


def test_waf_failures_name_the_groups_and_the_missing_parts() -> None:
    acls = judged(TF / "waf-acl")
    assert "no rule runs AWSManagedRulesSQLiRuleSet" in acls[("CKV_TWB_012", "aws_wafv2_web_acl.no_sqli")][2]
    assert "neither the default action nor any rule blocks" in acls[("CKV_TWB_013", "aws_wafv2_web_acl.watch_only")][2]
    assert "neither" not in acls[("CKV_TWB_013", "aws_wafv2_web_acl.counted")][2]  # its default action blocks
    assert "only counts" in acls[("CKV_TWB_014", "aws_wafv2_web_acl.watch_only")][2]
    assert "card numbers" in acls[("TWB_STACK_012", "aws_wafv2_web_acl.counted")][2]


@pytest.mark.parametrize(("pattern", "detects"), [
    (r"[A-Z][12][0-9]{8}", "national ID numbers"),
    (r"\b[A-Z][12]\d{8}\b", "national ID numbers"),
    ("\x08[A-Z][12][0-9]{8}\x08", "national ID numbers"),  # "\\b" after Checkov decoded it twice
    (r"^[A-Z][12]\d{8}$", "national ID numbers"),  # a field that is exactly an ID
    (r"[A-Z][0-9]{9}", "national ID numbers"),  # broader than the ID format still finds IDs
    (r"\b4[0-9]{12}(?:[0-9]{3})?\b", "card numbers"),
    (r"\d{16}", "card numbers"),
    (r".*", None),
    (r"[0-9]+", None),  # matches ordinary order traffic
    (r"(?<!x", None),  # not a pattern Python can read
    (r"password=", None),
])
def test_sensitive_data_patterns_are_tried_on_samples(pattern: str, detects: str | None) -> None:
    assert detects_sensitive_data(pattern) == detects


# --- each non-compliant example fails exactly its control ----------------------------------------

NONC = [
    ("nonc-firewall-log-retention", "firewall", {("TWB_STACK_011", "aws_networkfirewall_logging_configuration.trading")}),
    # every group counts: the OWASP groups are not blocking (CKV_TWB_013) and protect nothing (TWB_STACK_015)
    ("nonc-waf-count-only", "waf", {("CKV_TWB_013", "aws_wafv2_web_acl.web"), ("TWB_STACK_015", "aws_wafv2_web_acl.web")}),
    ("nonc-waf-no-sensitive-data", "waf", {("TWB_STACK_012", "aws_wafv2_web_acl.web")}),
    ("nonc-ids-no-signatures", "ids-ips", {("TWB_STACK_013", "aws_networkfirewall_firewall.trading")}),
]


@functools.cache
def tier1_profile() -> Profile:
    return load_profile(PROFILES / "tier1.yaml", load_catalog())


@pytest.mark.parametrize(("example", "control", "failing"), NONC, ids=[n[0] for n in NONC])
def test_non_compliant_example_fails_exactly_its_control(example: str, control: str, failing: set) -> None:
    compliant = statuses(EXAMPLES / "tier1-compliant", tier1_profile())
    result = _scan(EXAMPLES / example, tier1_profile())
    got = {r.control.id: r.status.value for r in result.results}
    # A control that includes this one (APT defence includes IDS/IPS) fails with it.
    failing_controls = {control} | {c.id for c in load_catalog().controls if control in c.includes}
    assert {k for k in failing_controls if got[k] == "fail"} == failing_controls
    assert {k: v for k, v in got.items() if k not in failing_controls} == {
        k: v for k, v in compliant.items() if k not in failing_controls}
    failed = {(j.finding.check_id, j.finding.resource) for r in result.results for j in r.failed_findings}
    assert failed == failing


def test_compliant_tier1_stack_passes_the_network_controls_by_infrastructure() -> None:
    result = _scan(EXAMPLES / "tier1-compliant", tier1_profile())
    by_id = {r.control.id: r for r in result.results}
    for control in OURS:
        assert (by_id[control].status.value, by_id[control].decided_by) == ("pass", "checks"), control


def test_the_same_stack_as_tier_3_needs_no_waf_and_no_ids() -> None:
    got = statuses(EXAMPLES / "nonc-waf-count-only", Profile(tier=3))
    assert got["waf"] == got["ids-ips"] == "not_applicable"
    assert statuses(EXAMPLES / "nonc-firewall-log-retention", Profile(tier=3))["firewall"] == "fail"


# --- evidence stands in where the rule allows it ---------------------------------------------------

def _with_evidence(control: str) -> Profile:
    return Profile(tier=1, evidence=(Evidence(control=control, obligation=None, text="declared elsewhere",
                                              date=dt.date(2024, 1, 2), expiry=None, reference=None),))


@pytest.mark.parametrize(("example", "control"), [("nonc-waf-no-sensitive-data", "waf"),
                                                  ("nonc-ids-no-signatures", "ids-ips")])
def test_evidence_stands_in_for_what_the_stack_does_not_show(example: str, control: str) -> None:
    assert statuses(EXAMPLES / example, _with_evidence(control))[control] == "attested"


@pytest.mark.parametrize(("example", "control"), [("nonc-waf-count-only", "waf"),
                                                  ("nonc-firewall-log-retention", "firewall")])
def test_evidence_never_hides_a_declared_misconfiguration(example: str, control: str) -> None:
    assert statuses(EXAMPLES / example, _with_evidence(control))[control] == "fail"


def test_ids_without_anything_to_inspect_traffic_is_decided_by_evidence() -> None:
    bare = EXAMPLES / "nonc-alb-without-waf"  # no firewall, no GuardDuty, no traffic mirroring
    assert not any(k[0] == "TWB_STACK_013" for k in judged(bare))
    assert statuses(bare, Profile(tier=1))["ids-ips"] == "evidence_missing"
    assert statuses(bare, _with_evidence("ids-ips"))["ids-ips"] == "attested"


# --- the profile settings ----------------------------------------------------------------------------

def test_admin_tag_key_comes_from_the_profile() -> None:
    owner = judged(TF / "firewall-admin-tag", firewall_admin_tag="Owner")
    assert owner[("CKV_TWB_010", "aws_networkfirewall_firewall.untagged")][0] == "passed"
    assert owner[("CKV_TWB_010", "aws_networkfirewall_firewall.by_default_tags")][0] == "failed"
    assert "missing tag 'Owner'" in owner[("CKV_TWB_010", "aws_networkfirewall_firewall.blank")][2]
    profile = Profile(tier=1, settings={"firewall_admin_tag": "Owner"})
    assert statuses(EXAMPLES / "tier1-compliant", profile)["firewall"] == "fail"


def test_accepted_owasp_rule_groups_come_from_the_profile() -> None:
    common_only = judged(TF / "waf-acl", waf_owasp_rule_groups=("AWSManagedRulesCommonRuleSet",))
    assert common_only[("CKV_TWB_012", "aws_wafv2_web_acl.no_sqli")][0] == "passed"
    vendor = judged(TF / "waf-acl", waf_owasp_rule_groups=("ExampleVendorOWASPTop10",))
    assert vendor[("CKV_TWB_012", "aws_wafv2_web_acl.complete")][0] == "failed"
    assert "no rule runs ExampleVendorOWASPTop10" in vendor[("CKV_TWB_012", "aws_wafv2_web_acl.complete")][2]
    # Counting groups that are not the accepted OWASP groups is the broker's business; the default still blocks.
    assert vendor[("CKV_TWB_013", "aws_wafv2_web_acl.counted")][0] == "passed"
