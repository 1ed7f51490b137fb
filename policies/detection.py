"""Reading the detection and response services of an AWS stack: GuardDuty, EventBridge routing.

GuardDuty, Security Hub and the routing of their findings are often run organisation-wide from a
security account; the stack rules that use these helpers are therefore attestable.
"""

from __future__ import annotations

import json
from typing import Any

from brokerguard.model import Resource, Stack
from brokerguard.policies.stack_rule import as_list, blocks, names

FINDING_SOURCES = ("aws.guardduty", "aws.securityhub")
MALWARE_FEATURES = ("EBS_MALWARE_PROTECTION",)
RUNTIME_FEATURES = ("RUNTIME_MONITORING", "EKS_RUNTIME_MONITORING")
# Organisation-wide features are switched on for member accounts by auto_enable.
ORG_AUTO_ENABLE = ("NEW", "ALL")
# What the helpers below read: the rules built on them declare it (brokerguard/coverage.py).
GUARDDUTY_READS = ("aws_guardduty_detector", "aws_guardduty_detector_feature",
                   "aws_guardduty_organization_configuration_feature")
EVENTS_READS = ("aws_cloudwatch_event_rule", "aws_cloudwatch_event_target")


def _off(raw: Any) -> bool:
    return raw in (False, "false")


def enabled_detectors(stack: Stack) -> list[Resource]:
    return [d for d in stack.of_type("aws_guardduty_detector") if not _off(d.values.get("enable", True))]


def _detector_is_on(stack: Stack, feature: Resource) -> bool:
    """A feature counts on an enabled detector, or on one declared outside this stack (a literal id)."""
    detectors = stack.referenced(feature, "aws_guardduty_detector")
    return not detectors or any(not _off(d.values.get("enable", True)) for d in detectors)


def guardduty_feature(stack: Stack, wanted: tuple[str, ...]) -> Resource | None:
    """The resource that switches one of these GuardDuty features on, account- or organisation-wide."""
    for feature in stack.of_type("aws_guardduty_detector_feature"):
        if (feature.values.get("name") in wanted and str(feature.values.get("status")).upper() == "ENABLED"
                and _detector_is_on(stack, feature)):
            return feature
    for feature in stack.of_type("aws_guardduty_organization_configuration_feature"):
        if feature.values.get("name") in wanted and str(feature.values.get("auto_enable")).upper() in ORG_AUTO_ENABLE:
            return feature
    if set(wanted) & set(MALWARE_FEATURES):
        # The older form: the detector's datasources block.
        for detector in enabled_detectors(stack):
            for source in blocks(detector.values, "datasources"):
                for malware in blocks(source, "malware_protection"):
                    for scan in blocks(malware, "scan_ec2_instance_with_findings"):
                        if any(v.get("enable") in (True, "true") for v in blocks(scan, "ebs_volumes")):
                            return detector
    return None


def _pattern_sources(raw: Any) -> list[str]:
    """The ``source`` values of an EventBridge event pattern (a JSON string in a plan, a map in HCL)."""
    if isinstance(raw, list) and len(raw) == 1:
        raw = raw[0]
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return []
    return [str(s) for s in as_list(raw.get("source"))] if isinstance(raw, dict) else []


def finding_rules(stack: Stack) -> list[Resource]:
    """Enabled EventBridge rules that match GuardDuty or Security Hub findings."""
    return [r for r in stack.of_type("aws_cloudwatch_event_rule")
            if set(_pattern_sources(r.values.get("event_pattern"))) & set(FINDING_SOURCES)
            and str(r.values.get("state", "ENABLED")).upper() != "DISABLED"
            and not _off(r.values.get("is_enabled", True))]


def targets_of(stack: Stack, rule: Resource) -> list[Resource]:
    return [t for t in stack.of_type("aws_cloudwatch_event_target") if names(t, "rule", rule, "name")]
