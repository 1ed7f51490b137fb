from brokerguard.policies.meta import CRITICAL, OK, Meta, Text
from brokerguard.policies.network import (
    NETWORK_ATTRIBUTES,
    NETWORK_READS,
    NETWORKED_TYPES,
    core_resources,
    internet_route,
    subnets_of,
)
from brokerguard.policies.stack_rule import StackRule

from brokerguard.model import Finding, Stack


class CoreNotInternetReachable(StackRule):
    meta = Meta(
        name=Text("Core systems sit in no public subnet and carry no Elastic IP",
                  "核心系統不位於公有子網路，且未附加 Elastic IP"),
        description=Text("CC-17010: core systems sit in private subnets and carry no Elastic IP.",
                         "CC-17010：核心系統位於私有子網路，且未附加 Elastic IP。"),
        fix=Text("Place core systems in private subnets whose default route goes through the firewall or a NAT gateway, "
                 "and release Elastic IPs attached to them.",
                 "將核心系統置於預設路由經由防火牆或 NAT 閘道的私有子網路，並釋放附加於其上的 Elastic IP。"),
        severity=CRITICAL,
        types=NETWORK_READS,
        attributes=NETWORK_ATTRIBUTES,
    )

    def evaluate(self, stack: Stack) -> list[Finding]:
        findings = []
        for core in core_resources(stack):
            problems = []
            for eip in stack.referrers(core, "aws_eip", "aws_eip_association"):
                problems.append(Text(f"Elastic IP {eip.address} ({eip.file}:{eip.line}) is attached",
                                     f"已附加 Elastic IP {eip.address}（{eip.file}:{eip.line}）"))
            if core.type in NETWORKED_TYPES:
                subnets = subnets_of(stack, core)
                placed = any(core.values.get(k) for k in ("subnet_id", "network_interface", "launch_template"))
                if core.type == "aws_instance" and not placed:
                    problems.append(Text("no subnet_id: it would launch in the default VPC, whose subnets are public",
                                         "未設定 subnet_id：將在預設 VPC 中啟動，而其子網路為公有"))
                for subnet in subnets:
                    route = internet_route(stack, subnet)
                    if route:
                        problems.append(Text(
                            f"subnet {subnet.address} is public: {route.address} ({route.file}:{route.line}) "
                            "routes 0.0.0.0/0 to an internet gateway",
                            f"子網路 {subnet.address} 為公有：{route.address}（{route.file}:{route.line}）"
                            "將 0.0.0.0/0 路由至網際網路閘道"))
            if problems or core.type in NETWORKED_TYPES:
                findings.append(self.finding(core, not problems, Text.join("; ", problems) or OK))
        return findings


rule = CoreNotInternetReachable()
