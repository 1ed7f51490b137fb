from brokerguard.model import Finding, Stack
from brokerguard.policies.network import NETWORK_READS, core_resources, open_ingress, security_groups_of
from brokerguard.policies.stack_rule import StackRule


class CoreSecurityGroupsClosed(StackRule):
    """CC-17010: no security group of a core system admits 0.0.0.0/0 or ::/0."""

    id = "TWB_STACK_002"
    name = "Security groups of core systems allow no ingress from the whole internet"
    control = "firewall"
    fix = (
        'Admit only the security groups or CIDRs of the tiers in front of the system (e.g. the load'
        " balancer's security group)."
    )
    guideline = "docs/checks.md#twb_stack_002"
    reads = NETWORK_READS

    def evaluate(self, stack: Stack) -> list[Finding]:
        findings = []
        for core in core_resources(stack):
            groups = security_groups_of(stack, core)
            if not groups:
                continue
            problems = [p for p in (open_ingress(stack, g) for g in groups) if p]
            findings.append(self.finding(core, not problems, "; ".join(problems) or "ok"))
        return findings


rule = CoreSecurityGroupsClosed()
