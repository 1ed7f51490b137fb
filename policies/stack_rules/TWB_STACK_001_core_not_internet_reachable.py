from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies.meta import OK, Text
from brokerguard.policies.network import (
    NETWORKED_TYPES,
    UNCLASSIFIED_AS_CORE,
    cannot_judge,
    isolated_resources,
    unclassified,
)
from brokerguard.policies.reachability import PUBLIC_ENDPOINT_TYPES, reachability
from brokerguard.policies.stack_rule import StackRule

# Attributes that place a system in the network; an instance without any launches in the default VPC.
_PLACED_BY = ("subnet_id", "network_interface", "launch_template")


class CoreNotInternetReachable(StackRule):
    def evaluate(self, stack: Stack) -> list[Finding]:
        model = reachability(stack)
        findings = []
        for core, why in isolated_resources(stack):
            problems = [Text(f"Elastic IP {eip.address} ({eip.file}:{eip.line}) is attached",
                             f"已附加 Elastic IP {eip.address}（{eip.file}:{eip.line}）") for eip in model.elastic_ips(core)]
            endpoint = model.public_endpoint(core)
            if endpoint:
                problems.append(Text(f"public endpoint: {endpoint}", f"公開端點：{endpoint.zh}"))
            if core.type in NETWORKED_TYPES:
                problems += self._placement_problems(stack, core)
            if problems or core.type in NETWORKED_TYPES or core.type in PUBLIC_ENDPOINT_TYPES:
                if why == UNCLASSIFIED_AS_CORE:
                    problems = [unclassified(p) for p in problems]
                findings.append(self.finding(core, not problems, Text.join("; ", problems) or OK))
        return findings

    @staticmethod
    def _placement_problems(stack: Stack, core: Resource) -> list[Text]:
        model = reachability(stack)
        placed = model.placement(core)
        problems = [cannot_judge(u) for u in placed.unknown]
        if core.type == "aws_instance" and not any(core.values.get(k) for k in _PLACED_BY):
            problems.append(Text("no subnet_id: it would launch in the default VPC, whose subnets are public",
                                 "未設定 subnet_id：將在預設 VPC 中啟動，而其子網路為公有"))
        for subnet in placed.subnets:
            routes, unknown = model.internet_routes(subnet)
            problems += [cannot_judge(u) for u in unknown]
            for route in routes:
                path = route.text()
                if route.kind == "internet-gateway":
                    problems.append(Text(f"subnet {subnet.address} is public: {path}",
                                         f"子網路 {subnet.address} 為公有：{path.zh}"))
                elif route.may_be_internet_gateway:
                    problems.append(Text(f"cannot judge subnet {subnet.address}: {path}",
                                         f"無法判定子網路 {subnet.address}：{path.zh}"))
        return problems


rule = CoreNotInternetReachable()
