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
from brokerguard.policies.meta import Text
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


# A Suricata rule that passes whatever it sees: pass, a protocol of every packet, any source and destination
# (the network variables stand for "anywhere" too), any ports, and no option narrowing what it matches.
_BROAD = r"(?:any|\$\w+|0\.0\.0\.0/0|::/0|\[0\.0\.0\.0/0(?:,\s*::/0)?\])"
_SURICATA_PASS_ALL = re.compile(
    rf"^\s*pass\s+(?:ip|tcp|udp|any)\s+{_BROAD}\s+any\s+(?:->|<>)\s+{_BROAD}\s+any\s*(?:\((?P<options>[^)]*)\))?\s*$",
    re.M | re.I)
# Options that only label or track a rule: with nothing else, the rule matches everything.
_LABELS = {"msg", "sid", "rev", "classtype", "metadata", "priority", "reference", "flow", "gid"}
_ANY = ("ANY", "0.0.0.0/0", "::/0", "$HOME_NET", "$EXTERNAL_NET", "")


def _suricata_passes_all(group: Resource) -> bool:
    for match in _SURICATA_PASS_ALL.finditer(suricata_rules(group)):
        keywords = {o.split(":", 1)[0].strip().lower() for o in (match.group("options") or "").split(";") if o.strip()}
        if keywords <= _LABELS:
            return True
    return False


def _stateful_rule_passes_all(rule: Mapping[str, Any]) -> bool:
    if str(value(rule, "action")).upper() != "PASS":
        return False
    for header in blocks(rule, "header"):
        if str(value(header, "protocol")).upper() not in ("IP", "ANY"):
            continue
        if all(str(value(header, k) or "").upper() in _ANY for k in ("source", "destination", "source_port",
                                                                      "destination_port")):
            return True
    return False


def _stateless_rule_passes_all(definition: Mapping[str, Any]) -> bool:
    """aws:pass with match attributes that select every packet (no address, port or protocol narrowing)."""
    if "aws:pass" not in as_list(value(definition, "actions")):
        return False
    for match in blocks(definition, "match_attributes") or [{}]:
        addresses = [value(a, "address_definition") for k in ("source", "destination") for a in blocks(match, k)]
        if any(str(a) not in ("0.0.0.0/0", "::/0") for a in addresses):
            continue
        if blocks(match, "source_port") or blocks(match, "destination_port") or as_list(value(match, "protocols")) \
                or blocks(match, "tcp_flag"):
            continue
        return True
    return False


def group_passes_all(group: Resource) -> bool:
    """The rule group holds a rule that passes every packet, uninspected."""
    source = _rules_source(group)
    if _suricata_passes_all(group) or any(_stateful_rule_passes_all(r) for r in blocks(source, "stateful_rule")):
        return True
    definitions = [d for custom in blocks(source, "stateless_rules_and_custom_actions")
                   for rule in blocks(custom, "stateless_rule") for d in blocks(rule, "rule_definition")]
    return any(_stateless_rule_passes_all(d) for d in definitions)


def inspection_gaps(stack: Stack, policy: Resource) -> list[Text]:
    """How a firewall policy lets traffic through uninspected: a stateless default (or fragment default)
    that passes instead of forwarding to the stateful engine, or a referenced rule group that passes
    everything (stateless: before the stateful engine; stateful: pass rules win in default order, and in
    strict order nothing after them is reached)."""
    settings = policy_settings(policy)
    gaps = []
    for key in ("stateless_default_actions", "stateless_fragment_default_actions"):
        actions = as_list(value(settings, key))
        if "aws:pass" in actions or not actions:
            shown = actions or "unset"
            gaps.append(Text(f"{key} = {shown}: what no stateless rule matches never reaches the stateful engine "
                             "(use aws:forward_to_sfe)",
                             f"{key} = {shown}：未符合 stateless 規則的流量不會進入 stateful 引擎（請用 aws:forward_to_sfe）"))
    for kind in ("stateless", "stateful"):
        declared, _ = group_references(stack, policy, kind)
        gaps += [Text(f"{kind} rule group {g.address} passes all traffic uninspected",
                      f"{kind} 規則群組 {g.address} 未經檢查即放行所有流量") for g in declared if group_passes_all(g)]
    return gaps
