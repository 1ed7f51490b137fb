from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies.firewall import inspection_gaps
from brokerguard.policies.network import NETWORK_READS, NETWORKED_TYPES, isolated_resources
from brokerguard.policies.reachability import Route, designated, reachability
from brokerguard.policies.stack_rule import StackRule

MAX_HOPS = 4  # subnet -> NAT -> its subnet -> ...: deeper chains are not judged


class CoreVpcNetworkFirewall(StackRule):
    """CC-17010: every internet path of every VPC that hosts core systems passes a network firewall
    that inspects.

    The VPC holds an AWS Network Firewall or a Gateway Load Balancer endpoint, and every route of a core
    system's subnet towards internet addresses reaches the internet only through one: straight to the
    firewall endpoint, or through a NAT gateway whose own subnet routes through it. A route to an internet
    gateway (direct, or after a NAT) bypasses it and fails, naming the path; so does a firewall whose
    policy lets traffic past the stateful engine. A path leaving the stack's view (transit gateway, peering,
    VPN) or a target not declared in the stack cannot be judged: a firewall run elsewhere (an inspection
    VPC, on premises) is declared as evidence.
    """

    id = "TWB_STACK_003"
    name = "Every internet path of a VPC hosting core systems passes an inspecting network firewall"
    control = "firewall"
    fix = (
        'Declare an aws_networkfirewall_firewall in the VPC and route the core subnets\' 0.0.0.0/0 and ::/0 '
        'to its endpoint (vpc_endpoint_id = the firewall\'s firewall_status sync_states endpoint_id), also '
        'behind NAT gateways; or declare the central firewall as evidence in the profile.'
    )
    guideline = "docs/checks.md#twb_stack_003"
    reads = NETWORK_READS + ("aws_networkfirewall_firewall_policy", "aws_networkfirewall_rule_group")
    attestable = True

    def evaluate(self, stack: Stack) -> list[Finding]:
        model = reachability(stack)
        cores = [r for r, _ in isolated_resources(stack) if r.type in NETWORKED_TYPES]
        if not cores:
            return []
        firewalls = stack.of_type("aws_networkfirewall_firewall") + [
            e for e in stack.of_type("aws_vpc_endpoint") if e.values.get("vpc_endpoint_type") == "GatewayLoadBalancer"
        ]
        subnets = {s.address: s for core in cores for s in model.placement(core).subnets}
        vpcs: dict[str, tuple[Resource, list[Resource]]] = {}
        for subnet in subnets.values():
            for vpc in stack.referenced(subnet, "aws_vpc"):
                vpcs.setdefault(vpc.address, (vpc, []))[1].append(subnet)
        if not vpcs:  # the VPC is not declared in this stack: any firewall in it counts
            return [self.finding(None, bool(firewalls), "ok" if firewalls else
                                 "core systems are declared but the stack contains no network firewall")]
        findings = []
        for address in sorted(vpcs):
            vpc, core_subnets = vpcs[address]
            if not [f for f in firewalls if vpc.address in f.references or f.values.get("vpc_id") == vpc.values.get("id")]:
                findings.append(self.finding(vpc, False, "VPC hosts core systems but no aws_networkfirewall_firewall "
                                             "or Gateway Load Balancer endpoint is declared in it"))
                continue
            problems = [p for subnet in sorted(core_subnets, key=lambda s: s.address)
                        for p in self._paths(stack, subnet, [subnet.address], 0)]
            problems = list(dict.fromkeys(problems))
            findings.append(self.finding(vpc, not problems, "; ".join(problems) or
                                         "every internet route of its core subnets passes the firewall"))
        return findings

    def _paths(self, stack: Stack, subnet: Resource, path: list[str], depth: int) -> list[str]:
        """Problems of every internet path from this subnet (path: the hops so far)."""
        routes, unknown = reachability(stack).internet_routes(subnet)
        problems = [f"cannot judge: {u}" for u in unknown]
        for route in routes:
            hops = " -> ".join([*path, str(route)])
            problems += self._route_problems(stack, route, hops, path, depth)
        return problems

    def _route_problems(self, stack: Stack, route: Route, hops: str, path: list[str], depth: int) -> list[str]:
        if route.kind in ("internet-gateway", "egress-only"):
            return [f"path {hops} bypasses the firewall"]
        if route.kind == "firewall" and route.target is not None:
            policy = designated(stack, route.target, route.target.values.get("firewall_policy_arn"),
                                "aws_networkfirewall_firewall_policy")
            if policy is None:
                return [f"cannot judge path {hops}: the firewall's policy is not declared in this stack"]
            return [f"path {hops}: {gap}" for gap in inspection_gaps(stack, policy)]
        if route.kind == "appliance":
            return []  # a firewall appliance behind a Gateway Load Balancer: its rules are not read
        if route.kind == "nat" and route.target is not None:
            nat_subnets = reachability(stack).placement(route.target)
            if nat_subnets.unknown or not nat_subnets.subnets:
                return [f"cannot judge path {hops}: the NAT gateway's subnet is not declared in this stack"]
            if str(route.target.values.get("connectivity_type")) == "private":
                return []  # a private NAT reaches other networks, not the internet
            if depth >= MAX_HOPS:
                return [f"cannot judge path {hops}: more than {MAX_HOPS} hops"]
            return [p for s in nat_subnets.subnets for p in
                    self._paths(stack, s, [*path, f"{route} (in {s.address})"], depth + 1)]
        return [f"cannot judge path {hops}: {route.why}"]


rule = CoreVpcNetworkFirewall()
