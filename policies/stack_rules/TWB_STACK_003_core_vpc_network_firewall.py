from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies.firewall import inspection_gaps
from brokerguard.policies.meta import Text
from brokerguard.policies.network import NETWORKED_TYPES, cannot_judge, firewalls, isolated_resources
from brokerguard.policies.reachability import Route, designated, reachability
from brokerguard.policies.stack_rule import StackRule

MAX_HOPS = 4  # subnet -> NAT -> its subnet -> ...: deeper chains are not judged


class CoreVpcNetworkFirewall(StackRule):
    def evaluate(self, stack: Stack) -> list[Finding]:
        model = reachability(stack)
        cores = [r for r, _ in isolated_resources(stack) if r.type in NETWORKED_TYPES]
        if not cores:
            return []
        present = firewalls(stack)
        vpcs: dict[str, tuple[Resource, dict[str, Resource]]] = {}
        for core in cores:
            for subnet in model.placement(core).subnets:
                for vpc in stack.referenced(subnet, "aws_vpc"):
                    vpcs.setdefault(vpc.address, (vpc, {}))[1][subnet.address] = subnet
        if not vpcs:  # the VPC is not declared in this stack: any firewall in it counts
            return [self.finding(None, bool(present), Text("a network firewall is declared", "已宣告網路防火牆")
                                 if present else Text("core systems are declared but the stack contains no network "
                                                        "firewall", "已宣告核心系統，但堆疊中沒有網路防火牆"))]
        findings = []
        for address in sorted(vpcs):
            vpc, subnets = vpcs[address]
            if not [f for f in present if vpc.address in f.references]:
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
            if route.kind in ("firewall", "appliance"):
                problems += self._way_back(stack, subnet)
        return problems

    def _way_back(self, stack: Stack, subnet: Resource) -> list[Text]:
        """The inbound half of a subnet that leaves through a firewall: traffic from the internet to its
        addresses enters at the VPC's internet gateway and goes where the gateway's edge route table sends
        it; without one (or with no route covering the subnet) it goes straight to the subnet."""
        model, problems = reachability(stack), []
        public = model.public_addresses(subnet)
        for igw in model.internet_gateways(subnet):
            tables = model.edge_tables(igw)
            for table in tables:
                for cidr, route, unknown in model.inbound_routes(table, subnet):
                    if unknown:
                        problems.append(cannot_judge(unknown))
                    elif route is not None:
                        hops = route.text()
                        hops = Text(f"inbound path internet gateway {igw.address} -> {hops} ({subnet.address})",
                                    f"傳入路徑 網際網路閘道 {igw.address} -> {hops.zh}（{subnet.address}）")
                        problems += self._route_problems(stack, route, hops, MAX_HOPS)
                    elif public:
                        problems.append(self._straight_in(igw, subnet, public, Text(
                            f"its edge route table {table.address} has no route for the subnet's CIDR {cidr}",
                            f"其邊緣路由表 {table.address} 沒有涵蓋此子網路 CIDR {cidr} 的路由")))
            if not tables and public:
                problems.append(self._straight_in(igw, subnet, public, Text(
                    "it has no edge route table (aws_route_table_association with gateway_id)",
                    "它沒有邊緣路由表（含 gateway_id 的 aws_route_table_association）")))
        return problems

    @staticmethod
    def _straight_in(igw: Resource, subnet: Resource, public: list[Text], why: Text) -> Text:
        what = Text.join(", ", public)
        return Text(f"inbound path internet gateway {igw.address} -> {subnet.address} ({what}) bypasses the firewall: "
                    f"{why}, so traffic from the internet goes straight to the subnet",
                    f"傳入路徑 網際網路閘道 {igw.address} -> {subnet.address}（{what.zh}）繞過防火牆：{why.zh}，"
                    "來自網際網路的流量直接進入子網路")

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
