"""How the internet reaches a resource: routes, gateways, firewall endpoints and security groups.

Built once per stack (``reachability(stack)``) and read by every rule about exposure, whatever the source
(HCL, plan, Pulumi, live AWS): all of them give Terraform's types and attribute names.

Sound, not complete: a value the stack does not settle (a literal subnet id of a subnet not declared here,
a data source, an unresolved variable, a route target that is not declared) is *unknown*, and an unknown
on a path means "cannot judge", never "private".
"""

from __future__ import annotations

import functools
import ipaddress
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from brokerguard.model import Resource, Stack
from brokerguard.policies.meta import Text, text_of
from brokerguard.policies.stack_rule import as_list, blocks, names

IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network
# Address space that is not the internet (RFC 1918, shared, loopback, link-local, unique local...).
_NOT_INTERNET = tuple(ipaddress.ip_network(c) for c in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "0.0.0.0/8", "224.0.0.0/3", "fc00::/7", "fe80::/10", "::1/128", "ff00::/8"))
_WHOLE = {4: ipaddress.ip_network("0.0.0.0/0"), 6: ipaddress.ip_network("::/0")}

# Route attributes that name where a route's traffic goes.
_TARGETS = ("gateway_id", "nat_gateway_id", "vpc_endpoint_id", "transit_gateway_id", "vpc_peering_connection_id",
            "network_interface_id", "instance_id", "egress_only_gateway_id", "carrier_gateway_id",
            "local_gateway_id", "core_network_arn")
# The route attribute that names each kind of target resource.
_TARGET_OF = {"aws_internet_gateway": "gateway_id", "aws_egress_only_internet_gateway": "egress_only_gateway_id",
              "aws_nat_gateway": "nat_gateway_id", "aws_networkfirewall_firewall": "vpc_endpoint_id",
              "aws_vpc_endpoint": "vpc_endpoint_id"}
_DESTINATIONS = ("cidr_block", "destination_cidr_block", "ipv6_cidr_block", "destination_ipv6_cidr_block")
# Types a route leaves the stack's view through: what lies beyond is evidence (on premises, another VPC).
_ELSEWHERE = {"transit_gateway_id": ("a transit gateway", "中轉閘道"), "vpc_peering_connection_id": ("a peered VPC", "對等 VPC"),
              "core_network_arn": ("a Cloud WAN core network", "Cloud WAN 核心網路"),
              "local_gateway_id": ("an Outposts local gateway", "Outposts 本機閘道"),
              "network_interface_id": ("a network interface", "網路介面"), "instance_id": ("an instance", "執行個體")}
# Types that may answer the internet through an endpoint of their own (Reachability.public_endpoint).
PUBLIC_ENDPOINT_TYPES = ("aws_db_instance", "aws_rds_cluster_instance", "aws_redshift_cluster", "aws_opensearch_domain",
                         "aws_elasticsearch_domain", "aws_eks_cluster", "aws_lambda_function", "aws_s3_bucket",
                         "aws_mq_broker", "aws_dms_replication_instance")
SUBNET_GROUPS = ("aws_db_subnet_group", "aws_elasticache_subnet_group", "aws_redshift_subnet_group",
                 "aws_dms_replication_subnet_group")
SUBNET_GROUP_NAME_ATTRS = ("db_subnet_group_name", "subnet_group_name", "cluster_subnet_group_name",
                           "replication_subnet_group_id")
# Attributes (and blocks holding them) that place a resource in subnets.
_SUBNET_ATTRS = ("subnet_id", "subnet_ids", "subnets", "vpc_zone_identifier")
_SUBNET_BLOCKS = ("subnet_mapping", "network_configuration", "vpc_config", "network_interfaces", "vpc_options")
# Resources a system reaches its subnets and security groups through.
VIA = ("aws_launch_template", "aws_launch_configuration", "aws_rds_cluster", "aws_ecs_task_definition",
       "aws_network_interface")
READS = ("aws_subnet", "aws_vpc", "aws_route_table", "aws_route_table_association", "aws_internet_gateway_attachment",
         "aws_main_route_table_association",
         "aws_default_route_table", "aws_route", "aws_internet_gateway", "aws_egress_only_internet_gateway",
         "aws_nat_gateway", "aws_vpc_endpoint", "aws_networkfirewall_firewall", "aws_security_group",
         "aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_ec2_managed_prefix_list",
         "aws_ec2_managed_prefix_list_entry", "aws_eip", "aws_eip_association", "aws_network_interface",
         "aws_lambda_function_url", "aws_s3_bucket_policy", "aws_s3_bucket_acl", "aws_s3_bucket_public_access_block",
         "aws_s3_account_public_access_block",
         *SUBNET_GROUPS, *VIA)


def _networks(raw: Any) -> IPNet | None:
    try:
        return ipaddress.ip_network(str(raw), strict=False)
    except ValueError:
        return None


def reaches_internet(cidr: Any) -> bool | None:
    """Whether a destination or source holds any internet address (None: not a CIDR, unknown)."""
    net = _networks(cidr)
    if net is None:
        return None
    return not any(net.version == n.version and net.subnet_of(n) for n in _NOT_INTERNET)  # type: ignore[arg-type]


def covers_internet(cidrs: Iterable[Any]) -> str | None:
    """'IPv4' or 'IPv6' when the union of these CIDRs holds every internet address of that family
    (0.0.0.0/0, or 0.0.0.0/1 + 128.0.0.0/1, or every public block listed one by one), else None."""
    return _covers(tuple(sorted({str(c) for c in cidrs})))


def _subtract(left: list[IPNet], nets: Iterable[IPNet]) -> list[IPNet]:
    for n in ipaddress.collapse_addresses(nets):  # type: ignore[type-var]
        left = [piece for part in left for piece in ((part,) if not part.overlaps(n) else
                                                       (() if part.subnet_of(n) else part.address_exclude(n)))]
    return left


@functools.cache
def _internet(version: int) -> tuple[IPNet, ...]:
    """Every internet address of a family, as blocks: the whole space without the non-internet ones."""
    return tuple(_subtract([_WHOLE[version]], [n for n in _NOT_INTERNET if n.version == version]))


@functools.lru_cache(maxsize=4096)  # security groups repeat the same CIDR lists
def _covers(cidrs: tuple[str, ...]) -> str | None:
    nets = [n for n in map(_networks, cidrs) if n is not None]
    for version, name in ((4, "IPv4"), (6, "IPv6")):
        mine = [n for n in nets if n.version == version]
        if mine and not _subtract(list(_internet(version)), mine):
            return name
    return None


def designated(stack: Stack, owner: Resource, raw: Any, *types: str) -> Resource | None:
    """The declared resource of these types a value names: by reference (Terraform, Pulumi) or by the id,
    ARN or name a source wrote out (live AWS, a plan's known value)."""
    text = str(raw)
    for r in stack.referenced(owner, *types):
        # References inside a module are relative to it: compare by type and name.
        if f"{r.type}.{r.name}." in f"{text}." or f"{r.type}.{r.name}[" in text:
            return r
    for r in stack.of_type(*types):
        if text and text in (str(r.values.get("id") or "\0"), str(r.values.get("arn") or "\0"), r.source_id):
            return r
    return None


@dataclass(frozen=True)
class Route:
    """One route of a table: where it goes, in words, and what it hands traffic to."""

    table: Resource  # the route table, or the aws_route that declares it
    destination: str
    kind: str  # internet-gateway, egress-only, nat, firewall, appliance, elsewhere, unknown
    target: Resource | None
    why: Text  # words naming the target
    attr: str = ""  # the route attribute naming the target

    @property
    def may_be_internet_gateway(self) -> bool:
        """Inbound from the internet: an internet gateway, or a gateway_id brokerguard cannot resolve."""
        return self.kind == "internet-gateway" or (self.kind == "unknown" and self.attr == "gateway_id")

    def __str__(self) -> str:
        return f"{self.table.address} ({self.table.file}:{self.table.line}) {self.destination} -> {self.why}"

    def text(self) -> Text:
        where = f"{self.table.address} ({self.table.file}:{self.table.line}) {self.destination} -> "
        return Text(where + str(self.why), where + text_of(self.why, "zh-TW"))


@dataclass
class Placement:
    """Where a resource sits: its subnets, and why part of it is unknown."""

    subnets: list[Resource] = field(default_factory=list)
    unknown: list[Text] = field(default_factory=list)


class Reachability:
    """Route tables, targets, placement and security group openings of one stack, computed on demand
    and kept (the stack does not change during a scan)."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self._routes: dict[str, tuple[list[Route], list[str]]] = {}

    # --- routes ------------------------------------------------------------------------------------------
    def _classify(self, owner: Resource, route: dict[str, Any]) -> tuple[str, Resource | None, Text, str]:
        for attr in _TARGETS:
            raw = route.get(attr)
            if raw == "local":
                return "local", None, Text("local", "本機"), attr
            if raw not in (None, "", []):
                return (*self._target(owner, attr, raw), attr)
        # A target known only after deployment (CloudFormation's GetAtt of a firewall's endpoints): an aws_route
        # that refers to exactly one resource a route can target goes to that one, through its only attribute.
        if owner.type == "aws_route":
            targets = self.stack.referenced(owner, *_TARGET_OF)
            if len(targets) == 1:
                attr = _TARGET_OF[targets[0].type]
                return (*self._target(owner, attr, f"{targets[0].type}.{targets[0].name}.id"), attr)
        # An internet destination with no target brokerguard can read (unknown, or a kind it does not model).
        return "unknown", None, Text("a target this stack does not give", "此堆疊未提供的目標"), "gateway_id"

    def _target(self, owner: Resource, attr: str, raw: Any) -> tuple[str, Resource | None, Text]:
        s = self.stack
        if attr == "egress_only_gateway_id":
            eigw = designated(s, owner, raw, "aws_egress_only_internet_gateway")
            name = eigw.address if eigw else raw
            return "egress-only", eigw, Text(f"egress-only internet gateway {name}", f"僅輸出網際網路閘道 {name}")
        if attr == "gateway_id":
            igw = designated(s, owner, raw, "aws_internet_gateway")
            if igw is not None or str(raw).startswith("igw-"):
                name = igw.address if igw else raw
                return "internet-gateway", igw, Text(f"internet gateway {name}", f"網際網路閘道 {name}")
            if str(raw).startswith("vgw-") or "aws_vpn_gateway." in str(raw):
                return "elsewhere", None, Text(f"virtual private gateway {raw} (on premises)", f"虛擬私有閘道 {raw}（地端）")
            endpoint = designated(s, owner, raw, "aws_vpc_endpoint")
            if endpoint is not None:
                return self._endpoint(endpoint)
        elif attr == "nat_gateway_id":
            nat = designated(s, owner, raw, "aws_nat_gateway")
            if nat is not None:
                return "nat", nat, Text(f"NAT gateway {nat.address}", f"NAT 閘道 {nat.address}")
        elif attr == "vpc_endpoint_id":
            firewall = designated(s, owner, raw, "aws_networkfirewall_firewall") or self._firewall_of_endpoint(raw)
            if firewall is not None:
                return "firewall", firewall, Text(f"network firewall {firewall.address}", f"網路防火牆 {firewall.address}")
            endpoint = designated(s, owner, raw, "aws_vpc_endpoint")
            if endpoint is not None:
                return self._endpoint(endpoint)
        elif attr in _ELSEWHERE:
            en, zh = _ELSEWHERE[attr]
            return "elsewhere", None, Text(f"{en} {raw} (outside this stack's view)", f"{zh} {raw}（不在此堆疊可見範圍內）")
        return "unknown", None, Text(f"{attr} = {raw}, which is not declared in this stack", f"{attr} = {raw}，未於此堆疊中宣告")

    @staticmethod
    def _endpoint(endpoint: Resource) -> tuple[str, Resource | None, Text]:
        kind = str(endpoint.values.get("vpc_endpoint_type"))
        if kind == "GatewayLoadBalancer":
            return "appliance", endpoint, Text(f"Gateway Load Balancer endpoint {endpoint.address}",
                                               f"Gateway Load Balancer 端點 {endpoint.address}")
        if kind == "Gateway":  # S3 or DynamoDB through AWS's network: not the internet
            return "local", endpoint, Text(f"gateway endpoint {endpoint.address}", f"閘道端點 {endpoint.address}")
        return "unknown", endpoint, Text(f"VPC endpoint {endpoint.address} ({kind}), not a firewall",
                                         f"VPC 端點 {endpoint.address}（{kind}），並非防火牆")

    def _firewall_of_endpoint(self, raw: Any) -> Resource | None:
        """A firewall whose status lists this endpoint id (live AWS, a refreshed plan)."""
        for fw in self.stack.of_type("aws_networkfirewall_firewall"):
            for status in blocks(fw.values, "firewall_status"):
                for sync in blocks(status, "sync_states"):
                    if any(str(a.get("endpoint_id")) == str(raw) for a in blocks(sync, "attachment")):
                        return fw
        return None

    def _route_entries(self, table: Resource) -> list[tuple[Resource, dict[str, Any]]]:
        if table.type == "aws_vpc":  # the main table AWS creates with the VPC: routes added to it
            return [(r, r.values) for r in self.stack.referrers(table, "aws_route")
                    if "main_route_table_id" in str(r.values.get("route_table_id"))]
        entries = [(table, r) for r in blocks(table.values, "route")]
        entries += [(r, r.values) for r in self.stack.referrers(table, "aws_route")]
        return entries

    def _route(self, owner: Resource, route: dict[str, Any]) -> Route | None:
        """The route as an internet path, or None when its destination holds no internet address."""
        dests = [route.get(k) for k in _DESTINATIONS if route.get(k) not in (None, "")]
        prefix = route.get("destination_prefix_list_id")
        if prefix not in (None, ""):
            dests.append(f"prefix list {prefix}")
        if not dests or all(reaches_internet(d) is False for d in dests):
            return None
        kind, target, why, attr = self._classify(owner, route)
        if kind == "local":
            return None
        return Route(owner, ", ".join(map(str, dests)), kind, target, why, attr)

    def internet_routes(self, subnet: Resource) -> tuple[list[Route], list[Text]]:
        """The routes of a subnet's table towards internet addresses, and why its table is unknown."""
        if subnet.address not in self._routes:
            tables, unknown = self.route_tables(subnet)
            routes = [r for t in tables for owner, raw in self._route_entries(t) if (r := self._route(owner, raw))]
            self._routes[subnet.address] = (routes, unknown)
        return self._routes[subnet.address]

    def route_tables(self, subnet: Resource) -> tuple[list[Resource], list[Text]]:
        s = self.stack
        explicit = [rt for assoc in s.referrers(subnet, "aws_route_table_association")
                    for rt in s.referenced(assoc, "aws_route_table")]
        if explicit:
            return explicit, []
        # No association: the subnet uses its VPC's main route table.
        vpcs = s.referenced(subnet, "aws_vpc")
        if not vpcs:
            vpc = subnet.values.get("vpc_id")
            return [], [Text(f"subnet {subnet.address}: its VPC ({vpc}) is not declared, so its main route table is unknown",
                             f"子網路 {subnet.address}：其 VPC（{vpc}）未宣告，主路由表不明")]
        main: list[Resource] = []
        for vpc in vpcs:
            for assoc in s.referrers(vpc, "aws_main_route_table_association"):
                main.extend(s.referenced(assoc, "aws_route_table"))
            main.extend(s.referrers(vpc, "aws_default_route_table"))
        # A VPC created here starts with a main table holding only the local route; routes may be added to it
        # (aws_route on its main_route_table_id): the VPC stands for that table.
        return main + vpcs, []

    # --- the way back in: internet gateways and their edge route tables (ingress routing) ----------------
    def internet_gateways(self, subnet: Resource) -> list[Resource]:
        """The internet gateways attached to a subnet's VPC."""
        s = self.stack
        found = {}
        for vpc in s.referenced(subnet, "aws_vpc"):
            found.update({g.address: g for g in s.referrers(vpc, "aws_internet_gateway")})
            for att in s.referrers(vpc, "aws_internet_gateway_attachment"):
                found.update({g.address: g for g in s.referenced(att, "aws_internet_gateway")})
        return [found[a] for a in sorted(found)]

    def edge_tables(self, igw: Resource) -> list[Resource]:
        """Route tables associated with an internet gateway (aws_route_table_association gateway_id): they
        decide where traffic arriving from the internet goes inside the VPC."""
        s = self.stack
        return [rt for assoc in s.referrers(igw, "aws_route_table_association") for rt in s.referenced(assoc, "aws_route_table")]

    def inbound_routes(self, table: Resource, subnet: Resource) -> list[tuple[str, Route | None, Text | None]]:
        """For each address block of the subnet (IPv4, and IPv6 when it has one): the most specific route of
        an edge route table whose destination holds it (None: only the local route, so traffic goes straight
        to the subnet), or why that cannot be told."""
        out: list[tuple[str, Route | None, Text | None]] = []
        for key, dest_keys in (("cidr_block", ("cidr_block", "destination_cidr_block")),
                               ("ipv6_cidr_block", ("ipv6_cidr_block", "destination_ipv6_cidr_block"))):
            raw = subnet.values.get(key)
            if key == "ipv6_cidr_block" and raw in (None, ""):
                continue
            cidr = _networks(raw)
            if cidr is None:
                out.append((str(raw), None, Text(
                    f"the {key} of {subnet.address} is not known, so the route {table.address} gives it cannot be told",
                    f"{subnet.address} 的 {key} 不明，無法判斷 {table.address} 給它的路由")))
                continue
            best: tuple[int, Route] | None = None
            for owner, entry in self._route_entries(table):
                dest = _networks(next((entry[k] for k in dest_keys if entry.get(k) not in (None, "")), None))
                if dest is None or dest.version != cidr.version or not cidr.subnet_of(dest):  # type: ignore[arg-type]
                    continue
                if best is None or dest.prefixlen > best[0]:
                    kind, target, why, attr = self._classify(owner, entry)
                    best = (dest.prefixlen, Route(owner, str(dest), kind, target, why, attr))
            route = best[1] if best and best[1].kind != "local" else None
            out.append((str(cidr), route, None))
        return out

    def public_addresses(self, subnet: Resource) -> list[Text]:
        """What in a subnet the internet may address (so its traffic comes back in through an internet
        gateway): a public NAT gateway, an Elastic IP, an instance with a public IP, public IPs on launch,
        an internet-facing load balancer. A value not known counts as public."""
        s, found = self.stack, []
        if subnet.values.get("ipv6_cidr_block") not in (None, ""):  # IPv6 addresses are the internet's
            found.append(Text(f"{subnet.address} ipv6_cidr_block", f"{subnet.address} ipv6_cidr_block"))
        if subnet.values.get("map_public_ip_on_launch") not in (False, "false", None):
            found.append(Text(f"{subnet.address} map_public_ip_on_launch", f"{subnet.address} map_public_ip_on_launch"))
        for r in s.of_type("aws_nat_gateway", "aws_instance", "aws_lb", "aws_alb", "aws_elb", "aws_network_interface"):
            if subnet not in self.placement(r).subnets:
                continue
            v = r.values
            if r.type == "aws_nat_gateway" and str(v.get("connectivity_type")) != "private":
                found.append(Text(f"NAT gateway {r.address}", f"NAT 閘道 {r.address}"))
            elif r.type in ("aws_lb", "aws_alb", "aws_elb") and v.get("internal") not in (True, "true"):
                found.append(Text(f"internet-facing load balancer {r.address}", f"面向網際網路的負載平衡器 {r.address}"))
            elif r.type == "aws_instance" and v.get("associate_public_ip_address") not in (False, "false", None):
                found.append(Text(f"public IP of {r.address}", f"{r.address} 的公有 IP"))
            elif r.type in ("aws_instance", "aws_network_interface") and self.elastic_ips(r):
                found.append(Text(f"Elastic IP of {r.address}", f"{r.address} 的 Elastic IP"))
        return found

    # --- placement ---------------------------------------------------------------------------------------
    def placement(self, resource: Resource) -> Placement:
        """The declared subnets a resource sits in; a subnet it names that is not declared is unknown."""
        s, found = self.stack, Placement()
        hops = [resource] + s.referenced(resource, *VIA)
        hops += [h2 for h in hops[1:] for h2 in s.referenced(h, "aws_network_interface") if h2 not in hops]
        for hop in hops:
            for raw, where in self._subnet_values(hop):
                subnet = designated(s, hop, raw, "aws_subnet")
                if subnet is not None:
                    if subnet not in found.subnets:
                        found.subnets.append(subnet)
                else:
                    found.unknown.append(Text(f"{hop.address} {where} = {raw} is not a subnet declared in this stack",
                                              f"{hop.address} {where} = {raw} 不是此堆疊中宣告的子網路"))
            for group in self._subnet_groups(hop):
                for raw in as_list(group.values.get("subnet_ids")):
                    subnet = designated(s, group, raw, "aws_subnet")
                    if subnet is None:
                        found.unknown.append(Text(f"{group.address} subnet_ids = {raw} is not a subnet declared here",
                                                  f"{group.address} subnet_ids = {raw} 不是此處宣告的子網路"))
                    elif subnet not in found.subnets:
                        found.subnets.append(subnet)
            for attr in SUBNET_GROUP_NAME_ATTRS:
                raw = hop.values.get(attr)
                if raw not in (None, "") and not self._subnet_groups(hop):
                    found.unknown.append(Text(f"{hop.address} {attr} = {raw} is not a subnet group declared here",
                                              f"{hop.address} {attr} = {raw} 不是此處宣告的子網路群組"))
        found.subnets.sort(key=lambda r: r.address)
        return found

    @staticmethod
    def _subnet_values(hop: Resource) -> list[tuple[Any, str]]:
        out = [(v, a) for a in _SUBNET_ATTRS for v in as_list(hop.values.get(a)) if v not in (None, "")]
        for key in _SUBNET_BLOCKS:
            for block in blocks(hop.values, key):
                out += [(v, f"{key}.{a}") for a in _SUBNET_ATTRS for v in as_list(block.get(a)) if v not in (None, "")]
        return out

    def _subnet_groups(self, hop: Resource) -> list[Resource]:
        s = self.stack
        groups = {g.address: g for g in s.referenced(hop, *SUBNET_GROUPS)}
        # Checkov renders `aws_db_subnet_group.x.name` to the group's literal name when it sets one.
        names = {str(hop.values[a]) for a in SUBNET_GROUP_NAME_ATTRS if hop.values.get(a)}
        groups.update({g.address: g for g in s.of_type(*SUBNET_GROUPS)
                       if str(g.values.get("name") or g.values.get("replication_subnet_group_id")) in names})
        return [groups[a] for a in sorted(groups)]

    # --- security groups ---------------------------------------------------------------------------------
    def security_groups(self, resource: Resource) -> list[Resource]:
        s = self.stack
        found = {r.address: r for r in s.referenced(resource, "aws_security_group")}
        for hop in s.referenced(resource, *VIA):
            found.update({r.address: r for r in s.referenced(hop, "aws_security_group")})
        return [found[a] for a in sorted(found)]

    def _prefix_list(self, owner: Resource, raw: Any) -> tuple[list[str], Text | None]:
        pl = designated(self.stack, owner, raw, "aws_ec2_managed_prefix_list")
        if pl is None:
            return [], Text(f"prefix list {raw} is not declared in this stack", f"前綴清單 {raw} 未於此堆疊中宣告")
        cidrs = [str(e.get("cidr")) for e in blocks(pl.values, "entry")]
        cidrs += [str(e.values.get("cidr")) for e in self.stack.referrers(pl, "aws_ec2_managed_prefix_list_entry")]
        return cidrs, None

    def ingress(self, groups: list[Resource]) -> tuple[list[tuple[str, str]], list[Text]]:
        """(CIDR, which rule admits it) for every CIDR source of these groups' ingress, and unknown sources."""
        s = self.stack
        sources: list[tuple[str, str]] = []
        unknown: list[Text] = []

        def add(owner: Resource, where: str, cidrs: Iterable[Any], prefix_lists: Iterable[Any]) -> None:
            for c in cidrs:
                if c in (None, ""):
                    continue
                if _networks(c) is None:
                    unknown.append(Text(f"{where}: source {c} is not a known CIDR", f"{where}：來源 {c} 不是已知的 CIDR"))
                else:
                    sources.append((str(c), where))
            for p in prefix_lists:
                if p in (None, ""):
                    continue
                listed, why = self._prefix_list(owner, p)
                if why:
                    unknown.append(Text(f"{where}: {why}", f"{where}：{why.zh}"))
                sources.extend((c, f"{where} via prefix list {p}") for c in listed)

        for group in groups:
            for rule in blocks(group.values, "ingress"):
                add(group, f"{group.address} ingress (line {group.line})",
                    as_list(rule.get("cidr_blocks")) + as_list(rule.get("ipv6_cidr_blocks")),
                    as_list(rule.get("prefix_list_ids")))
            for rule in s.referrers(group, "aws_security_group_rule"):
                if rule.values.get("type") == "ingress":
                    add(rule, f"{rule.address} ({rule.file}:{rule.line})",
                        as_list(rule.values.get("cidr_blocks")) + as_list(rule.values.get("ipv6_cidr_blocks")),
                        as_list(rule.values.get("prefix_list_ids")))
            for rule in s.referrers(group, "aws_vpc_security_group_ingress_rule"):
                add(rule, f"{rule.address} ({rule.file}:{rule.line})",
                    [rule.values.get("cidr_ipv4"), rule.values.get("cidr_ipv6")], [rule.values.get("prefix_list_id")])
        return sources, unknown

    def open_to_internet(self, groups: list[Resource]) -> tuple[Text | None, list[Text]]:
        """How these groups together admit the whole internet (their CIDR sources' union covers it), and
        the sources brokerguard cannot read (a prefix list not declared, a variable)."""
        sources, unknown = self.ingress(groups)
        family = covers_internet(c for c, _ in sources)
        if family is None:
            return None, unknown
        rules = list(dict.fromkeys(where for c, where in sources if reaches_internet(c)))
        listed = "; ".join(rules)
        return Text(f"ingress from the whole {family} internet: {listed}",
                    f"允許來自整個 {family} 網際網路的傳入流量：{listed}"), unknown

    # --- public addresses --------------------------------------------------------------------------------
    def elastic_ips(self, resource: Resource) -> list[Resource]:
        """Elastic IPs on the resource or on its network interfaces."""
        s = self.stack
        # interfaces the resource names, and interfaces that name it (an `attachment` block)
        holders = [resource] + s.referenced(resource, "aws_network_interface") + s.referrers(resource, "aws_network_interface")
        found = {e.address: e for h in holders for e in s.referrers(h, "aws_eip", "aws_eip_association")}
        if resource.values.get("id"):  # live AWS: the address names the instance by id
            found.update({e.address: e for e in s.of_type("aws_eip")
                          if str(e.values.get("instance")) == str(resource.values["id"])})
        return [found[a] for a in sorted(found)]


    # --- managed services with an endpoint of their own ------------------------------------------------
    def public_endpoint(self, resource: Resource) -> Text | None:
        """How a managed service answers the internet itself, whatever its subnets: a publicly accessible
        database or Redshift cluster, an OpenSearch domain outside a VPC, a public EKS API, a world-readable
        bucket, a Lambda function URL without authorization."""
        v, t = resource.values, resource.type
        if t in ("aws_db_instance", "aws_rds_cluster_instance") and v.get("publicly_accessible") in (True, "true"):
            return Text("publicly_accessible = true", "publicly_accessible = true")
        if t in ("aws_redshift_cluster", "aws_dms_replication_instance") and \
                v.get("publicly_accessible") not in (False, "false"):
            return Text("publicly_accessible is not false (AWS's default is true)",
                        "publicly_accessible 不為 false（AWS 預設為 true）")
        if t == "aws_mq_broker" and v.get("publicly_accessible") in (True, "true"):
            return Text("publicly_accessible = true: the broker's endpoints are public",
                        "publicly_accessible = true：代理程式端點為公開")
        if t in ("aws_opensearch_domain", "aws_elasticsearch_domain") and not any(
                as_list(b.get("subnet_ids")) for b in blocks(v, "vpc_options")):
            return Text("no vpc_options: the domain's endpoint is public", "未設定 vpc_options：網域端點為公開")
        if t == "aws_eks_cluster":
            for cfg in blocks(v, "vpc_config") or [{}]:
                cidrs = as_list(cfg.get("public_access_cidrs")) or ["0.0.0.0/0"]
                if cfg.get("endpoint_public_access") not in (False, "false") and covers_internet(cidrs):
                    return Text("the API endpoint is public to the whole internet (endpoint_public_access)",
                                "API 端點對整個網際網路公開（endpoint_public_access）")
        if t == "aws_lambda_function":
            # Checkov renders `aws_lambda_function.x.function_name` to the literal name: match by name or reference
            for url in (u for u in self.stack.of_type("aws_lambda_function_url")
                        if names(u, "function_name", resource, "function_name")):
                if str(url.values.get("authorization_type")).upper() != "AWS_IAM":
                    return Text(f"function URL {url.address} has authorization_type {url.values.get('authorization_type')}",
                                f"函式 URL {url.address} 的 authorization_type 為 {url.values.get('authorization_type')}")
        if t == "aws_s3_bucket":
            return self._bucket_public(resource)
        return None

    def _bucket_public(self, bucket: Resource) -> Text | None:
        s = self.stack
        # The account's block applies to every bucket of the account it is made in: one made with the bucket's
        # own provider configuration (another may be another account's), naming no account (account_id may be
        # another's). A value not known is not true, and a block whose count is unknown is judged without it too
        # (brokerguard/worst_case.py).
        account = [b for b in s.of_type("aws_s3_account_public_access_block")
                   if b.values.get("account_id") in (None, "") and b.provider is not None and b.provider == bucket.provider]
        blocks_ = s.referrers(bucket, "aws_s3_bucket_public_access_block") + account

        def blocked(*keys: str) -> bool:
            return any(all(b.values.get(k) in (True, "true") for k in keys) for b in blocks_)

        acls = [bucket.values.get("acl")] + [a.values.get("acl") for a in s.referrers(bucket, "aws_s3_bucket_acl")]
        public_acl = next((a for a in acls if _CANNED.get(str(a), str(a)) in ("public-read", "public-read-write",
                                                                             "authenticated-read")), None)
        if public_acl and not blocked("ignore_public_acls"):
            return Text(f"the bucket ACL {public_acl} lets the world read it", f"儲存貯體 ACL {public_acl} 允許任何人讀取")
        if blocked("block_public_policy", "restrict_public_buckets"):
            return None
        for policy in s.referrers(bucket, "aws_s3_bucket_policy") + [bucket]:
            raw = policy.values.get("policy")
            if raw in (None, ""):
                continue
            doc = _json(raw)
            if doc is None:
                return Text(f"cannot judge: the policy of {policy.address} cannot be read and no public access block "
                            "restricts it", f"無法判定：{policy.address} 的政策無法讀取，且無公開存取封鎖限制")
            if _allows_everyone(doc):
                return Text(f"{policy.address} allows Principal \"*\" without a condition",
                            f"{policy.address} 允許 Principal \"*\" 且無條件限制")
        return None


# CloudFormation's names of the canned ACLs that let the world in.
_CANNED = {"PublicRead": "public-read", "PublicReadWrite": "public-read-write", "AuthenticatedRead": "authenticated-read"}


def _json(raw: Any) -> Any:
    if isinstance(raw, list) and len(raw) == 1:  # Checkov wraps a jsonencode() document in a list
        raw = raw[0]
    if isinstance(raw, dict):
        return raw
    try:
        doc = json.loads(str(raw))
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None  # anything else is no policy brokerguard can read


def _allows_everyone(doc: Any) -> bool:
    statements = as_list(doc.get("Statement")) if isinstance(doc, dict) else []
    for st in statements:
        if not isinstance(st, dict) or st.get("Effect") != "Allow" or st.get("Condition"):
            continue
        principal = st.get("Principal")
        aws = principal.get("AWS") if isinstance(principal, dict) else principal
        if principal == "*" or "*" in as_list(aws):
            return True
    return False


@functools.lru_cache(maxsize=4)
def _cached(stack: Stack) -> Reachability:
    return Reachability(stack)


def reachability(stack: Stack) -> Reachability:
    """The one model of a stack: built on first use, shared by every rule of the scan."""
    return _cached(stack)
