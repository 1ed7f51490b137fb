from brokerguard.model import Finding, Stack
from brokerguard.policies.network import NETWORK_READS, UNCLASSIFIED_AS_CORE, isolated_resources
from brokerguard.policies.reachability import reachability
from brokerguard.policies.stack_rule import StackRule


class CoreSecurityGroupsClosed(StackRule):
    """CC-17010: the security groups of a core system, together, do not admit the whole internet.

    The CIDR sources of every ingress rule of every group the system has (inline, aws_security_group_rule,
    aws_vpc_security_group_ingress_rule, managed prefix lists declared in the stack) are united: 0.0.0.0/0,
    ::/0, 0.0.0.0/1 + 128.0.0.0/1 or every public block listed one by one all fail. A source brokerguard
    cannot read (a prefix list not declared here, an unresolved variable) cannot be judged.
    """

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
        model = reachability(stack)
        findings = []
        for core, why in isolated_resources(stack):
            groups = model.security_groups(core)
            if not groups:
                continue
            opening, unknown = model.open_to_internet(groups)
            problems = ([opening] if opening else []) + [f"cannot judge: {u}" for u in unknown]
            if why == UNCLASSIFIED_AS_CORE:
                problems = [f"{why}: {p}" for p in problems]
            findings.append(self.finding(core, not problems, "; ".join(problems) or "ok"))
        return findings


rule = CoreSecurityGroupsClosed()
