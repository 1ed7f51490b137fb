"""Reading AWS Network Firewall: its policy, its rule groups and where its logs go.

The functions take a resource's configuration either as Checkov hands it to a Python check
(every attribute wrapped in a one-element list) or as a stack rule sees it (``Resource.values``):
``value`` and ``blocks`` read both.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from brokerguard.model import Resource, Stack
from brokerguard.policies.resource_conf import value
from brokerguard.policies.stack_rule import as_list, blocks

LOG_DESTINATION_TYPES = ("S3", "CloudWatchLogs", "KinesisDataFirehose")
# Default actions that drop what no stateful rule passes: the policy is a whitelist.
STATEFUL_DROP_DEFAULTS = ("aws:drop_strict", "aws:drop_established")
MANAGED_STATEFUL_GROUP = ":aws-managed:stateful-rulegroup/"
# A Suricata rule starts with its action; these make the firewall detect or stop traffic.
_SURICATA_ACTION = re.compile(r"^\s*(alert|drop|reject|rejectsrc|rejectdst|rejectboth)\s", re.M)
_SURICATA_BLOCKING = re.compile(r"^\s*(drop|reject|rejectsrc|rejectdst|rejectboth)\s", re.M)


@dataclass(frozen=True)
class LogDestination:
    log_type: str  # FLOW, ALERT or TLS
    kind: str  # S3, CloudWatchLogs or KinesisDataFirehose
    target: dict[str, str]  # logGroup / bucketName and prefix / deliveryStream


def log_destinations(conf: Mapping[str, Any]) -> list[LogDestination]:
    """The log_destination_config blocks of an aws_networkfirewall_logging_configuration."""
    found = []
    for logging in blocks(conf, "logging_configuration"):
        for dest in blocks(logging, "log_destination_config"):
            target = next(iter(blocks(dest, "log_destination")), {})
            found.append(LogDestination(
                log_type=str(value(dest, "log_type") or ""), kind=str(value(dest, "log_destination_type") or ""),
                target={str(k): str(value(target, k)) for k in target},
            ))
    return found


def policy_settings(policy: Resource) -> Mapping[str, Any]:
    return next(iter(blocks(policy.values, "firewall_policy")), {})


def drops_unmatched(settings: Mapping[str, Any]) -> bool:
    """The policy drops what no rule passes (a whitelist), statefully or already statelessly."""
    stateful = as_list(value(settings, "stateful_default_actions"))
    stateless = as_list(value(settings, "stateless_default_actions"))
    return any(a in STATEFUL_DROP_DEFAULTS for a in stateful) or "aws:drop" in stateless


def group_references(stack: Stack, policy: Resource, kind: str) -> tuple[list[Resource], list[dict[str, Any]]]:
    """The rule groups a policy references (kind: stateful or stateless): declared ones, and the raw
    reference blocks of those not declared in the stack (AWS managed groups, shared groups)."""
    declared, elsewhere = [], []
    for ref in blocks(policy_settings(policy), f"{kind}_rule_group_reference"):
        arn = str(value(ref, "resource_arn") or "")
        # Inside a module the ARN names the group relative to the module: compare by type and name.
        group = next((g for g in stack.referenced(policy, "aws_networkfirewall_rule_group")
                      if f"{g.type}.{g.name}." in f"{arn}."), None)
        if group is None:
            elsewhere.append(ref)
        elif group not in declared:
            declared.append(group)
    return declared, elsewhere


def _rules_source(group: Resource) -> Mapping[str, Any]:
    return next((s for rg in blocks(group.values, "rule_group") for s in blocks(rg, "rules_source")), {})


def suricata_rules(group: Resource) -> str:
    return str(value(_rules_source(group), "rules_string") or "")


def group_blocks_traffic(group: Resource) -> bool:
    """The rule group drops or rejects named traffic: a blacklist."""
    source = _rules_source(group)
    lists = blocks(source, "rules_source_list")
    if any(str(value(lst, "generated_rules_type")).upper() == "DENYLIST" for lst in lists):
        return True
    if any(str(value(rule, "action")).upper() in ("DROP", "REJECT") for rule in blocks(source, "stateful_rule")):
        return True
    if _SURICATA_BLOCKING.search(suricata_rules(group)):
        return True
    stateless = [d for custom in blocks(source, "stateless_rules_and_custom_actions")
                 for rule in blocks(custom, "stateless_rule") for d in blocks(rule, "rule_definition")]
    return any("aws:drop" in as_list(value(d, "actions")) for d in stateless)


def group_detects_intrusions(group: Resource) -> bool:
    """Suricata signatures that alert, drop or reject (not only pass rules or plain 5-tuple rules)."""
    return bool(_SURICATA_ACTION.search(suricata_rules(group)))


def managed_group(ref: Mapping[str, Any]) -> str | None:
    """The name of an AWS managed stateful rule group a reference block points to, or None."""
    arn = str(value(ref, "resource_arn") or "")
    return arn.split(MANAGED_STATEFUL_GROUP, 1)[1] if MANAGED_STATEFUL_GROUP in arn else None


def managed_group_drops(ref: Mapping[str, Any]) -> bool:
    """An AWS managed group drops what it matches unless its reference overrides that to alert."""
    overrides = [str(value(o, "action")) for o in blocks(ref, "override")]
    return managed_group(ref) is not None and "DROP_TO_ALERT" not in overrides


def logging_configurations(stack: Stack, firewall: Resource) -> list[Resource]:
    return stack.referrers(firewall, "aws_networkfirewall_logging_configuration")
