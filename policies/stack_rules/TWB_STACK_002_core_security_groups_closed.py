from brokerguard.policies.meta import HIGH, OK, Meta, Text
from brokerguard.policies.network import NETWORK_ATTRIBUTES, NETWORK_READS, core_resources, open_ingress, security_groups_of
from brokerguard.policies.stack_rule import StackRule

from brokerguard.model import Finding, Stack


class CoreSecurityGroupsClosed(StackRule):
    meta = Meta(
        name=Text("Security groups of core systems allow no ingress from the whole internet",
                  "核心系統的安全群組不允許來自整個網際網路的傳入流量"),
        description=Text("CC-17010: no security group of a core system admits 0.0.0.0/0 or ::/0.",
                         "CC-17010：核心系統的安全群組皆不允許 0.0.0.0/0 或 ::/0 傳入。"),
        fix=Text("Admit only the security groups or CIDRs of the tiers in front of the system (e.g. the load balancer's "
                 "security group).",
                 "僅允許系統前端各層的安全群組或 CIDR（例如負載平衡器的安全群組）。"),
        severity=HIGH,
        types=NETWORK_READS,
        attributes=NETWORK_ATTRIBUTES,
    )

    def evaluate(self, stack: Stack) -> list[Finding]:
        findings = []
        for core in core_resources(stack):
            groups = security_groups_of(stack, core)
            if not groups:
                continue
            problems = [p for p in (open_ingress(stack, g) for g in groups) if p]
            findings.append(self.finding(core, not problems, Text.join("; ", problems) or OK))
        return findings


rule = CoreSecurityGroupsClosed()
