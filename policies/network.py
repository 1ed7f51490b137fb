"""Following references through an AWS network: where a resource sits and what reaches it."""

from __future__ import annotations

from brokerguard.model import Resource, Stack
from brokerguard.policies.meta import Text
from brokerguard.policies.resource_conf import CLASSIFIED_TYPES, is_core
from brokerguard.policies.stack_rule import as_list, blocks

ANYWHERE = ("0.0.0.0/0", "::/0")
SUBNET_GROUPS = ("aws_db_subnet_group", "aws_elasticache_subnet_group", "aws_redshift_subnet_group")
# Resources a core system reaches its subnets and security groups through.
VIA = ("aws_launch_template", "aws_launch_configuration", "aws_rds_cluster", "aws_ecs_task_definition")
# Core compute that lands in a subnet; S3 buckets or DynamoDB tables live outside any VPC.
NETWORKED_TYPES = tuple(t for t in CLASSIFIED_TYPES if t not in ("aws_s3_bucket", "aws_dynamodb_table", "aws_launch_template"))
# Everything the functions below follow from a core system to the internet: what a rule built on them reads.
# Attributes the isolation rules read on the resource they judge (its placement, addresses, groups, tags):
# an unknown one makes their pass a "cannot judge".
NETWORK_ATTRIBUTES = frozenset({
    "tags", "tags_all", "associate_public_ip_address", "network_interface", "network_interfaces",
    "publicly_accessible", "web_acl_id", "internal", "load_balancer_type", "subnet_id", "subnet_ids",
    "vpc_security_group_ids", "security_groups", "ingress", "route", "cidr_blocks", "ipv6_cidr_blocks",
    "cidr_ipv4", "cidr_ipv6", "gateway_id", "destination_cidr_block", "vpc_id", "vpc_endpoint_type",
    "resource_arn", "db_subnet_group_name", "subnets", "subnet_mapping", "type", "launch_template",
})
NETWORK_READS = (*CLASSIFIED_TYPES, "aws_rds_cluster_instance", *SUBNET_GROUPS, *VIA, "aws_subnet", "aws_vpc",
                 "aws_route_table", "aws_route_table_association", "aws_main_route_table_association",
                 "aws_default_route_table", "aws_route", "aws_internet_gateway", "aws_security_group",
                 "aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_eip", "aws_eip_association")


def is_firewall(resource: Resource) -> bool:
    """An AWS Network Firewall, or a Gateway Load Balancer endpoint to a firewall appliance."""
    return resource.type == "aws_networkfirewall_firewall" or (
        resource.type == "aws_vpc_endpoint" and resource.values.get("vpc_endpoint_type") == "GatewayLoadBalancer")


def firewalls(stack: Stack) -> list[Resource]:
    return [r for r in stack.of_type("aws_networkfirewall_firewall", "aws_vpc_endpoint") if is_firewall(r)]


def is_entry_point(resource: Resource) -> bool:
    """An internet-facing load balancer: the front door, protected by WAF rather than isolated."""
    return resource.type in ("aws_lb", "aws_alb") and resource.values.get("internal") not in (True, "true")


def core_resources(stack: Stack) -> list[Resource]:
    """Core systems that must be isolated from the internet (entry points excepted)."""
    return [r for r in stack.of_type(*CLASSIFIED_TYPES, "aws_rds_cluster_instance")
            if is_core(r.tags) and not is_entry_point(r)]


def _direct_and_via(stack: Stack, resource: Resource, *types: str) -> list[Resource]:
    found = {r.address: r for r in stack.referenced(resource, *types)}
    for hop in stack.referenced(resource, *VIA):
        found.update({r.address: r for r in stack.referenced(hop, *types)})
    return [found[a] for a in sorted(found)]


# Checkov renders `aws_db_subnet_group.x.name` to the group's literal name when the group sets one,
# which drops the reference: such groups are found by name through these attributes.
SUBNET_GROUP_NAME_ATTRS = ("db_subnet_group_name", "subnet_group_name", "cluster_subnet_group_name")


def _groups_by_name(stack: Stack, resource: Resource) -> list[Resource]:
    names = {str(resource.values[a]) for a in SUBNET_GROUP_NAME_ATTRS if resource.values.get(a)}
    if not names:
        return []
    return [g for g in stack.of_type(*SUBNET_GROUPS) if g.values.get("name") and str(g.values["name"]) in names]


def subnets_of(stack: Stack, resource: Resource) -> list[Resource]:
    subnets = {s.address: s for s in _direct_and_via(stack, resource, "aws_subnet")}
    for group in _direct_and_via(stack, resource, *SUBNET_GROUPS) + _groups_by_name(stack, resource):
        subnets.update({s.address: s for s in stack.referenced(group, "aws_subnet")})
    return [subnets[a] for a in sorted(subnets)]


def vpcs_of(stack: Stack, resource: Resource) -> list[Resource]:
    vpcs = {v.address: v for s in subnets_of(stack, resource) for v in stack.referenced(s, "aws_vpc")}
    return [vpcs[a] for a in sorted(vpcs)]


def security_groups_of(stack: Stack, resource: Resource) -> list[Resource]:
    return _direct_and_via(stack, resource, "aws_security_group")


def _to_internet_gateway(stack: Stack, route: dict, owner: Resource) -> bool:
    if not any(route.get(k) in ANYWHERE for k in ("cidr_block", "destination_cidr_block",
                                                  "ipv6_cidr_block", "destination_ipv6_cidr_block")):
        return False
    gateway = str(route.get("gateway_id") or "")
    if gateway.startswith("igw-"):
        return True
    # References inside a module are relative, so compare by type and name.
    return any(f"{igw.type}.{igw.name}." in f"{gateway}." for igw in stack.referenced(owner, "aws_internet_gateway"))


def _route_tables_of(stack: Stack, subnet: Resource) -> list[Resource]:
    explicit = [rt for assoc in stack.referrers(subnet, "aws_route_table_association")
                for rt in stack.referenced(assoc, "aws_route_table")]
    if explicit:
        return explicit
    # No association: the subnet uses its VPC's main route table.
    main = []
    for vpc in stack.referenced(subnet, "aws_vpc"):
        for assoc in stack.referrers(vpc, "aws_main_route_table_association"):
            main.extend(stack.referenced(assoc, "aws_route_table"))
        main.extend(stack.referrers(vpc, "aws_default_route_table"))
    return main


def internet_route(stack: Stack, subnet: Resource) -> Resource | None:
    """The route table or route that sends 0.0.0.0/0 or ::/0 from this subnet to an internet gateway."""
    for table in _route_tables_of(stack, subnet):
        for route in blocks(table.values, "route"):
            # An inline route's gateway reference is one of the table's own references.
            if _to_internet_gateway(stack, route, table):
                return table
        for route in stack.referrers(table, "aws_route"):
            if _to_internet_gateway(stack, route.values, route):
                return route
    return None


def open_ingress(stack: Stack, group: Resource) -> Text | None:
    """How a security group admits the whole internet, or None."""
    for rule in blocks(group.values, "ingress"):
        cidrs = as_list(rule.get("cidr_blocks")) + as_list(rule.get("ipv6_cidr_blocks"))
        if any(c in ANYWHERE for c in cidrs):
            opened = ", ".join(c for c in cidrs if c in ANYWHERE)
            return Text(f"{group.address} ingress from {opened} (line {group.line})",
                        f"{group.address} 允許來自 {opened} 的傳入流量（第 {group.line} 行）")
    for rule in stack.referrers(group, "aws_security_group_rule"):
        cidrs = as_list(rule.values.get("cidr_blocks")) + as_list(rule.values.get("ipv6_cidr_blocks"))
        if rule.values.get("type") == "ingress" and any(c in ANYWHERE for c in cidrs):
            return Text(f"{rule.address} ({rule.file}:{rule.line}) opens {group.address} to the internet",
                        f"{rule.address}（{rule.file}:{rule.line}）將 {group.address} 開放給網際網路")
    for rule in stack.referrers(group, "aws_vpc_security_group_ingress_rule"):
        if rule.values.get("cidr_ipv4") in ANYWHERE or rule.values.get("cidr_ipv6") in ANYWHERE:
            return Text(f"{rule.address} ({rule.file}:{rule.line}) opens {group.address} to the internet",
                        f"{rule.address}（{rule.file}:{rule.line}）將 {group.address} 開放給網際網路")
    return None
