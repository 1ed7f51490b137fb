from brokerguard.model import Finding, Stack
from brokerguard.policies.network import NETWORK_READS, NETWORKED_TYPES, core_resources, vpcs_of
from brokerguard.policies.stack_rule import StackRule


class CoreVpcNetworkFirewall(StackRule):
    """CC-17010: the internet path of every VPC that hosts core systems passes a network firewall.

    AWS Network Firewall in that VPC, or a Gateway Load Balancer endpoint to a firewall appliance.
    A firewall run elsewhere (an inspection VPC, on premises) is declared as evidence.
    """

    id = "TWB_STACK_003"
    name = "Every VPC hosting core systems has a network firewall on its internet path"
    control = "firewall"
    fix = (
        'Declare an aws_networkfirewall_firewall in the VPC and route internet traffic through its '
        'endpoints, or declare the central firewall as evidence in the profile.'
    )
    guideline = "docs/checks.md#twb_stack_003"
    reads = NETWORK_READS + ("aws_networkfirewall_firewall", "aws_vpc_endpoint")
    attestable = True

    def evaluate(self, stack: Stack) -> list[Finding]:
        cores = [r for r in core_resources(stack) if r.type in NETWORKED_TYPES]
        if not cores:
            return []
        firewalls = stack.of_type("aws_networkfirewall_firewall") + [
            e for e in stack.of_type("aws_vpc_endpoint") if e.values.get("vpc_endpoint_type") == "GatewayLoadBalancer"
        ]
        vpcs = {v.address: v for core in cores for v in vpcs_of(stack, core)}
        if not vpcs:  # the VPC is not declared in this stack: any firewall in it counts
            return [self.finding(None, bool(firewalls), "ok" if firewalls else
                                 "core systems are declared but the stack contains no network firewall")]
        findings = []
        for address in sorted(vpcs):
            vpc = vpcs[address]
            guards = [f for f in firewalls if vpc.address in f.references]
            findings.append(self.finding(vpc, bool(guards), "ok" if guards else
                                         "VPC hosts core systems but no aws_networkfirewall_firewall or "
                                         "Gateway Load Balancer endpoint is declared in it"))
        return findings


rule = CoreVpcNetworkFirewall()
