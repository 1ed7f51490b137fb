from brokerguard.model import Finding, Stack
from brokerguard.policies.meta import OK, Text
from brokerguard.policies.network import NETWORKED_TYPES, core_resources, firewalls, vpcs_of
from brokerguard.policies.stack_rule import StackRule


class CoreVpcNetworkFirewall(StackRule):
    def evaluate(self, stack: Stack) -> list[Finding]:
        cores = [r for r in core_resources(stack) if r.type in NETWORKED_TYPES]
        if not cores:
            return []
        present = firewalls(stack)
        vpcs = {v.address: v for core in cores for v in vpcs_of(stack, core)}
        if not vpcs:  # the VPC is not declared in this stack: any firewall in it counts
            return [self.finding(None, bool(present), OK if present else Text(
                "core systems are declared but the stack contains no network firewall",
                "已宣告核心系統，但堆疊中沒有網路防火牆"))]
        findings = []
        for address in sorted(vpcs):
            vpc = vpcs[address]
            guards = [f for f in present if vpc.address in f.references]
            findings.append(self.finding(vpc, bool(guards), OK if guards else Text(
                "VPC hosts core systems but no aws_networkfirewall_firewall or Gateway Load Balancer endpoint is "
                "declared in it",
                "此 VPC 承載核心系統，但其中未宣告 aws_networkfirewall_firewall 或 Gateway Load Balancer 端點")))
        return findings


rule = CoreVpcNetworkFirewall()
