from brokerguard.policies.meta import CRITICAL, OK, Meta, Text
from brokerguard.policies.network import (
    NETWORK_ATTRIBUTES,
    NETWORK_READS,
    NETWORKED_TYPES,
    UNCLASSIFIED_AS_CORE,
    cannot_judge,
    isolated_resources,
    unclassified,
)
from brokerguard.policies.reachability import PUBLIC_ENDPOINT_TYPES, reachability
from brokerguard.policies.stack_rule import StackRule

from brokerguard.model import Finding, Resource, Stack

# Attributes that place a system in the network; an instance without any launches in the default VPC.
_PLACED_BY = ("subnet_id", "network_interface", "launch_template")


class CoreNotInternetReachable(StackRule):
    meta = Meta(
        name=Text("Core systems sit in no public subnet and carry no Elastic IP",
                  "核心系統不位於公有子網路，且未附加 Elastic IP"),
        description=Text(
            "CC-17010: core systems sit in private subnets, carry no Elastic IP (on themselves or on their network "
            "interfaces) and offer no public endpoint of their own (a publicly accessible database or Redshift cluster, "
            "an OpenSearch domain outside a VPC, an EKS API open to the internet, a bucket whose ACL or policy lets the "
            "world in, a Lambda function URL without IAM authorization). A subnet is public when a route of its table "
            "sends any internet address (0.0.0.0/0, or parts whose union is the internet, IPv4 or IPv6) to an "
            "internet gateway. A subnet, subnet group, route table or "
            "gateway the stack does not declare (a literal id, a data source) cannot be judged: the finding fails. A "
            "system whose class tag is missing is judged as core (setting isolate_unclassified).",
            "CC-17010：核心系統位於私有子網路，本身及其網路介面皆未附加 Elastic IP，且沒有自身的公開端點（可公開存取的"
            "資料庫或 Redshift 叢集、VPC 外的 OpenSearch 網域、對網際網路開放的 EKS API、ACL 或政策允許任何人存取的儲存"
            "貯體、未採 IAM 授權的 Lambda 函式 URL）。子網路的路由表若將任何網際網路"
            "位址（0.0.0.0/0，或聯集為整個網際網路的多段位址，IPv4 或 IPv6）送往網際網路閘道，即為公有子網路。"
            "堆疊未宣告的子網路、子網路群組、路由表或閘道（字面 id、data source）無法判定，視為不通過。缺少分級標籤的"
            "系統視為核心系統判定（設定 isolate_unclassified）。"),
        fix=Text("Place core systems in private subnets whose default route goes through the firewall or a NAT gateway, "
                 "release Elastic IPs attached to them, and declare their subnets in the stack so their routing can be "
                 "judged.",
                 "將核心系統置於預設路由經由防火牆或 NAT 閘道的私有子網路，釋放附加於其上的 Elastic IP，並在堆疊中宣告其"
                 "子網路以便判定路由。"),
        severity=CRITICAL,
        types=NETWORK_READS,
        attributes=NETWORK_ATTRIBUTES,
    )

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
