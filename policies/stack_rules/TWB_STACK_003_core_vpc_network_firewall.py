from brokerguard.policies.meta import HIGH, OK, Meta, Text
from brokerguard.policies.network import NETWORK_READS, NETWORKED_TYPES, core_resources, vpcs_of
from brokerguard.policies.stack_rule import StackRule

from brokerguard.model import Finding, Stack


class CoreVpcNetworkFirewall(StackRule):
    meta = Meta(
        name=Text("Every VPC hosting core systems has a network firewall on its internet path",
                  "每個承載核心系統的 VPC 在其網際網路路徑上設有網路防火牆"),
        description=Text(
            "CC-17010: the internet path of every VPC that hosts core systems passes a network firewall: AWS Network "
            "Firewall in that VPC, or a Gateway Load Balancer endpoint to a firewall appliance. A firewall run "
            "elsewhere (an inspection VPC, on premises) is declared as evidence.",
            "CC-17010：每個承載核心系統之 VPC 的網際網路路徑皆經過網路防火牆：該 VPC 內的 AWS Network Firewall，"
            "或通往防火牆設備的 Gateway Load Balancer 端點。於他處（檢測 VPC、地端）運作的防火牆以佐證資料宣告。"),
        fix=Text("Declare an aws_networkfirewall_firewall in the VPC and route internet traffic through its endpoints, "
                 "or declare the central firewall as evidence in the profile.",
                 "在該 VPC 宣告 aws_networkfirewall_firewall 並使網際網路流量經由其端點，或於設定檔以佐證資料宣告集中式防火牆。"),
        severity=HIGH,
        types=NETWORK_READS + ("aws_networkfirewall_firewall", "aws_vpc_endpoint"),
        attributes={"vpc_id", "vpc_endpoint_type", "subnet_id", "subnet_ids", "subnet_mapping", "tags", "tags_all"},
        attestable=True,
    )

    def evaluate(self, stack: Stack) -> list[Finding]:
        cores = [r for r in core_resources(stack) if r.type in NETWORKED_TYPES]
        if not cores:
            return []
        firewalls = stack.of_type("aws_networkfirewall_firewall") + [
            e for e in stack.of_type("aws_vpc_endpoint") if e.values.get("vpc_endpoint_type") == "GatewayLoadBalancer"
        ]
        vpcs = {v.address: v for core in cores for v in vpcs_of(stack, core)}
        if not vpcs:  # the VPC is not declared in this stack: any firewall in it counts
            return [self.finding(None, bool(firewalls), OK if firewalls else Text(
                "core systems are declared but the stack contains no network firewall",
                "已宣告核心系統，但堆疊中沒有網路防火牆"))]
        findings = []
        for address in sorted(vpcs):
            vpc = vpcs[address]
            guards = [f for f in firewalls if vpc.address in f.references]
            findings.append(self.finding(vpc, bool(guards), OK if guards else Text(
                "VPC hosts core systems but no aws_networkfirewall_firewall or Gateway Load Balancer endpoint is "
                "declared in it",
                "此 VPC 承載核心系統，但其中未宣告 aws_networkfirewall_firewall 或 Gateway Load Balancer 端點")))
        return findings


rule = CoreVpcNetworkFirewall()
