from brokerguard.model import Finding, Stack
from brokerguard.policies.meta import OK, Text
from brokerguard.policies.network import (
    NETWORKED_TYPES,
    core_resources,
    internet_route,
    subnets_of,
)
from brokerguard.policies.stack_rule import StackRule


class CoreNotInternetReachable(StackRule):
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
