from brokerguard.model import Finding, Stack
from brokerguard.policies.firewall import (
    drops_unmatched, group_blocks_traffic, group_references, inspection_gaps, managed_group, managed_group_drops,
    policy_settings,
)
from brokerguard.policies.stack_rule import StackRule


class FirewallPolicyDefaultDeny(StackRule):
    """CC-17010: firewall rules are a whitelist or a blacklist, never "pass everything".

    Whitelist: stateful_default_actions holds aws:drop_strict or aws:drop_established (or the stateless
    default action is aws:drop). Blacklist: the policy references a rule group that drops named traffic:
    a domain DENYLIST, stateful or Suricata drop/reject rules, stateless aws:drop rules, or an AWS managed
    stateful group not overridden to DROP_TO_ALERT. A policy with neither passes what no rule names.
    Either way the policy must inspect: a stateless default of aws:pass (traffic never reaches the stateful
    engine), or a referenced group with a pass-everything rule (stateless, or stateful: pass wins in default
    order, and in strict order nothing behind it is reached) fails.
    """

    id = "TWB_STACK_010"
    name = "Network firewall policies drop what no rule allows, or enforce an explicit blacklist"
    control = "firewall"
    fix = (
        'Set stateful_default_actions = ["aws:drop_established"] (with stateful_engine_options rule_order '
        'STRICT_ORDER) and pass only what the business needs, or reference a rule group that drops the '
        'traffic your blacklist names.'
    )
    guideline = "docs/checks.md#twb_stack_010"
    reads = ("aws_networkfirewall_firewall_policy", "aws_networkfirewall_rule_group")

    def evaluate(self, stack: Stack) -> list[Finding]:
        findings = []
        for policy in stack.of_type("aws_networkfirewall_firewall_policy"):
            gaps = inspection_gaps(stack, policy)
            if gaps:
                findings.append(self.finding(policy, False, "traffic passes uninspected: " + "; ".join(gaps)))
                continue
            if drops_unmatched(policy_settings(policy)):
                findings.append(self.finding(policy, True, "whitelist: unmatched traffic is dropped"))
                continue
            groups, elsewhere = [], []
            for kind in ("stateful", "stateless"):
                declared, outside = group_references(stack, policy, kind)
                groups += declared
                elsewhere += outside
            deny = [g.address for g in groups if group_blocks_traffic(g)]
            deny += [f"AWS managed {managed_group(ref)}" for ref in elsewhere if managed_group_drops(ref)]
            if deny:
                findings.append(self.finding(policy, True, f"blacklist: named traffic is dropped by {', '.join(deny)}"))
                continue
            unseen = [r for r in elsewhere if managed_group(r) is None]
            message = ("the default action passes what no rule matches, and no referenced rule group drops "
                       "anything")
            if unseen:
                message += f" ({len(unseen)} referenced rule group(s) are not declared in this stack)"
            findings.append(self.finding(policy, False, message))
        return findings


rule = FirewallPolicyDefaultDeny()
