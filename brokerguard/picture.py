"""The network picture a 資通安全健診 reviewer looks at first: facts the scan settles, reports draw.

VPCs, their internet gateway, public subnets (a route to an internet gateway, as the stack rules
judge it: brokerguard.policies.network) and private ones, the core systems in them, the
internet-facing entry points with or without a WAF, and the network firewalls. `build` reads the
stack during the scan (core depends on the profile's tag keys); brokerguard.report.network draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

from brokerguard.model import Resource, Stack
from brokerguard.policies import network as net
from brokerguard.policies.meta import Text
from brokerguard.policies.reachability import reachability
from brokerguard.policies.resource_conf import CLASSIFIED_TYPES, is_core

# Entry points that live outside any VPC; a WAF is attached through web_acl_id or an association.
EDGE_TYPES = ("aws_cloudfront_distribution", "aws_api_gateway_stage", "aws_appsync_graphql_api")
WAF_ASSOCIATIONS = ("aws_wafv2_web_acl_association",)
DRAWN_TYPES = (*CLASSIFIED_TYPES, "aws_rds_cluster_instance", *EDGE_TYPES)


@dataclass(frozen=True)
class Node:
    address: str
    type: str
    kind: str  # core | entry | firewall | other
    waf: bool | None  # entry points only: protected by a WAF or not
    subnets: tuple[str, ...]


@dataclass(frozen=True)
class Subnet:
    address: str
    cidr: str
    zone: str
    public: bool


@dataclass(frozen=True)
class Path:
    """One internet route of a core system's subnet, and what stands on it."""

    subnet: str
    via: Text  # the route's target, in words (a NAT gateway, a firewall, an internet gateway)
    guard: str  # firewall | appliance | none | unknown


@dataclass(frozen=True)
class Vpc:
    address: str
    cidr: str
    gateway: str | None  # the internet gateway's address
    subnets: tuple[Subnet, ...]
    firewalls: tuple[Node, ...]
    public: tuple[Node, ...]  # in at least one public subnet
    private: tuple[Node, ...]
    core_paths: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Network:
    vpcs: tuple[Vpc, ...]
    outside: tuple[Node, ...]  # in no declared VPC: buckets, tables, CDN, API stages, unplaced compute


def _is_entry(stack: Stack, r: Resource) -> bool:
    return net.is_entry_point(r) or r.type in EDGE_TYPES


def _has_waf(stack: Stack, r: Resource) -> bool:
    if r.type == "aws_cloudfront_distribution":
        return bool(r.values.get("web_acl_id"))
    return bool(stack.referrers(r, *WAF_ASSOCIATIONS))


def _node(stack: Stack, r: Resource, subnets: list[Resource]) -> Node:
    entry = _is_entry(stack, r)
    if net.is_firewall(r):
        kind = "firewall"
    elif entry:
        kind = "entry"
    elif is_core(r.tags):
        kind = "core"
    else:
        kind = "other"
    return Node(r.address, r.type, kind, _has_waf(stack, r) if entry else None, tuple(s.address for s in subnets))


_GUARD = {"firewall": "firewall", "appliance": "appliance", "internet-gateway": "none", "egress-only": "none"}


def _core_paths(stack: Stack, subnets: list[Resource]) -> tuple[Path, ...]:
    """The internet routes of these (core) subnets from the same model the firewall rules judge; a route
    through a NAT gateway shows what stands behind the NAT."""
    model = reachability(stack)
    out = []
    for subnet in subnets:
        routes, _ = model.internet_routes(subnet)
        for route in routes:
            guard, via = _GUARD.get(route.kind, "unknown"), route.why
            if route.kind == "nat" and route.target is not None:
                behind = [r for s in model.placement(route.target).subnets for r in model.internet_routes(s)[0]]
                guard = min((_GUARD.get(r.kind, "unknown") for r in behind), key=["none", "unknown", "appliance",
                                                                                     "firewall"].index, default="unknown")
                via = Text.join(" -> ", [via, Text.join(", ", [r.why for r in behind]) or Text("?", "?")])
            out.append(Path(subnet.address, via, guard))
    return tuple(out)


def build(stack: Stack) -> Network:
    """Call inside the scan's resource_conf.scan_context, so that `core` uses the profile's tag keys."""
    vpcs = stack.of_type("aws_vpc")
    subnets_by_vpc: dict[str, list[Resource]] = {v.address: [] for v in vpcs}
    for s in stack.of_type("aws_subnet"):
        for v in stack.referenced(s, "aws_vpc"):
            subnets_by_vpc[v.address].append(s)
    public = {s.address for s in stack.of_type("aws_subnet") if net.internet_route(stack, s) is not None}
    placed: dict[str, list[Node]] = {v.address: [] for v in vpcs}
    outside = []
    drawn = stack.of_type(*DRAWN_TYPES) + net.firewalls(stack)
    for r in sorted(drawn, key=lambda r: r.address):
        subnets = net.subnets_of(stack, r)
        homes = [v.address for v in net.vpcs_of(stack, r)] or [v.address for v in stack.referenced(r, "aws_vpc")]
        node = _node(stack, r, subnets)
        if homes:
            placed[homes[0]].append(node)
        else:
            outside.append(node)
    out = []
    for v in vpcs:
        nodes = placed[v.address]
        gateway = next((g.address for g in stack.referrers(v, "aws_internet_gateway")), None)
        subnets = tuple(Subnet(s.address, str(s.values.get("cidr_block", "")), str(s.values.get("availability_zone", "")),
                               s.address in public) for s in subnets_by_vpc[v.address])
        firewalls = tuple(n for n in nodes if n.kind == "firewall")
        rest = [n for n in nodes if n.kind != "firewall"]
        core_subnets = sorted({s for n in rest if n.kind == "core" for s in n.subnets})
        by_address = {s.address: s for s in subnets_by_vpc[v.address]}
        out.append(Vpc(v.address, str(v.values.get("cidr_block", "")), gateway, subnets, firewalls,
                       tuple(n for n in rest if any(s in public for s in n.subnets)),
                       tuple(n for n in rest if not any(s in public for s in n.subnets)),
                       _core_paths(stack, [by_address[a] for a in core_subnets if a in by_address])))
    return Network(tuple(out), tuple(outside))
