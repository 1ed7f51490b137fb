from brokerguard.policies.firewall import inspection_gaps
from brokerguard.policies.meta import HIGH, Meta, Text
from brokerguard.policies.network import NETWORK_READS, NETWORKED_TYPES, cannot_judge, isolated_resources
from brokerguard.policies.reachability import Route, designated, reachability
from brokerguard.policies.stack_rule import StackRule

from brokerguard.model import Finding, Resource, Stack

MAX_HOPS = 4  # subnet -> NAT -> its subnet -> ...: deeper chains are not judged


class CoreVpcNetworkFirewall(StackRule):
    meta = Meta(
        name=Text("Every internet path of a VPC hosting core systems passes an inspecting network firewall",
                  "承載核心系統之 VPC 的每條網際網路路徑皆經過實際檢查流量的網路防火牆"),
        description=Text(
            "CC-17010: the VPC holds an AWS Network Firewall or a Gateway Load Balancer endpoint, and every route of a "
            "core system's subnet towards internet addresses reaches the internet only through one: straight to the "
            "firewall endpoint, or through a NAT gateway whose own subnet routes through it. A route to an internet "
            "gateway (direct, or after a NAT) bypasses it and fails, naming the path; so does a firewall whose policy "
            "lets traffic past the stateful engine. A path leaving the stack's view (transit gateway, peering, VPN) or "
            "a target not declared in the stack cannot be judged: a firewall run elsewhere (an inspection VPC, on "
            "premises) is declared as evidence.",
            "CC-17010：VPC 內設有 AWS Network Firewall 或 Gateway Load Balancer 端點，且核心系統子網路通往網際網路位址"
            "的每條路由，都只經由它到達網際網路：直接送往防火牆端點，或經由其所在子網路再經過防火牆的 NAT 閘道。"
            "直接或經 NAT 後送往網際網路閘道的路由即繞過防火牆，判定不通過並指出路徑；防火牆政策讓流量繞過 stateful "
            "引擎者亦同。離開此堆疊可見範圍的路徑（中轉閘道、對等連線、VPN）或未宣告的目標無法判定：於他處（檢測 "
            "VPC、地端）運作的防火牆以佐證資料宣告。"),
        fix=Text("Declare an aws_networkfirewall_firewall in the VPC and route the core subnets' 0.0.0.0/0 and ::/0 to its "
                 "endpoint (vpc_endpoint_id = the firewall's firewall_status sync_states endpoint_id), behind NAT "
                 "gateways too; or declare the central firewall as evidence in the profile.",
                 "在該 VPC 宣告 aws_networkfirewall_firewall，並將核心子網路的 0.0.0.0/0 與 ::/0 路由至其端點"
                 "（vpc_endpoint_id = 防火牆 firewall_status sync_states 的 endpoint_id），NAT 閘道之後亦然；"
                 "或於設定檔以佐證資料宣告集中式防火牆。"),
        severity=HIGH,
        types=NETWORK_READS + ("aws_networkfirewall_firewall_policy", "aws_networkfirewall_rule_group"),
        attributes={"vpc_id", "vpc_endpoint_type", "subnet_id", "subnet_ids", "subnet_mapping", "tags", "tags_all"},
        attestable=True,
    )

    def evaluate(self, stack: Stack) -> list[Finding]:
        model = reachability(stack)
        cores = [r for r, _ in isolated_resources(stack) if r.type in NETWORKED_TYPES]
        if not cores:
            return []
        firewalls = stack.of_type("aws_networkfirewall_firewall") + [
            e for e in stack.of_type("aws_vpc_endpoint") if e.values.get("vpc_endpoint_type") == "GatewayLoadBalancer"
        ]
        vpcs: dict[str, tuple[Resource, dict[str, Resource]]] = {}
        for core in cores:
            for subnet in model.placement(core).subnets:
                for vpc in stack.referenced(subnet, "aws_vpc"):
                    vpcs.setdefault(vpc.address, (vpc, {}))[1][subnet.address] = subnet
        if not vpcs:  # the VPC is not declared in this stack: any firewall in it counts
            return [self.finding(None, bool(firewalls), Text("a network firewall is declared", "已宣告網路防火牆")
                                 if firewalls else Text("core systems are declared but the stack contains no network "
                                                        "firewall", "已宣告核心系統，但堆疊中沒有網路防火牆"))]
        findings = []
        for address in sorted(vpcs):
            vpc, subnets = vpcs[address]
            if not [f for f in firewalls if vpc.address in f.references]:
                findings.append(self.finding(vpc, False, Text(
                    "VPC hosts core systems but no aws_networkfirewall_firewall or Gateway Load Balancer endpoint is "
                    "declared in it",
                    "此 VPC 承載核心系統，但其中未宣告 aws_networkfirewall_firewall 或 Gateway Load Balancer 端點")))
                continue
            problems = list(dict.fromkeys(p for a in sorted(subnets) for p in self._paths(stack, subnets[a], Text(a, a), 0)))
            findings.append(self.finding(vpc, not problems, Text.join("; ", problems) or Text(
                "every internet route of its core subnets passes the firewall",
                "其核心子網路的每條網際網路路由皆經過防火牆")))
        return findings

    def _paths(self, stack: Stack, subnet: Resource, path: Text, depth: int) -> list[Text]:
        """Problems of every internet path from this subnet (path: the hops so far, in words)."""
        routes, unknown = reachability(stack).internet_routes(subnet)
        problems = [cannot_judge(u) for u in unknown]
        for route in routes:
            hops = route.text()
            hops = Text(f"{path} -> {hops}", f"{path.zh} -> {hops.zh}")
            problems += self._route_problems(stack, route, hops, depth)
        return problems

    def _route_problems(self, stack: Stack, route: Route, hops: Text, depth: int) -> list[Text]:
        if route.kind in ("internet-gateway", "egress-only"):
            return [Text(f"path {hops} bypasses the firewall", f"路徑 {hops.zh} 繞過防火牆")]
        if route.kind == "firewall" and route.target is not None:
            policy = designated(stack, route.target, route.target.values.get("firewall_policy_arn"),
                                "aws_networkfirewall_firewall_policy")
            if policy is None:
                return [cannot_judge(Text(f"path {hops}: the firewall's policy is not declared in this stack",
                                          f"路徑 {hops.zh}：防火牆政策未於此堆疊中宣告"))]
            return [Text(f"path {hops}: {gap}", f"路徑 {hops.zh}：{gap.zh}") for gap in inspection_gaps(stack, policy)]
        if route.kind == "appliance":
            return []  # a firewall appliance behind a Gateway Load Balancer: its rules are not read
        if route.kind == "nat" and route.target is not None:
            if str(route.target.values.get("connectivity_type")) == "private":
                return []  # a private NAT reaches other networks, not the internet
            placed = reachability(stack).placement(route.target)
            if placed.unknown or not placed.subnets:
                return [cannot_judge(Text(f"path {hops}: the NAT gateway's subnet is not declared in this stack",
                                          f"路徑 {hops.zh}：NAT 閘道的子網路未於此堆疊中宣告"))]
            if depth >= MAX_HOPS:
                return [cannot_judge(Text(f"path {hops}: more than {MAX_HOPS} hops", f"路徑 {hops.zh}：超過 {MAX_HOPS} 跳"))]
            return [p for s in placed.subnets
                    for p in self._paths(stack, s, Text(f"{hops} (in {s.address})", f"{hops.zh}（位於 {s.address}）"),
                                         depth + 1)]
        return [cannot_judge(Text(f"path {hops}: {route.why}", f"路徑 {hops.zh}：{route.why.zh}"))]


rule = CoreVpcNetworkFirewall()
