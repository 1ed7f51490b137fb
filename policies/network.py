"""Following references through an AWS network: where a resource sits and what reaches it."""

from __future__ import annotations

from brokerguard.model import Resource, Stack
from brokerguard.policies.meta import Text
from brokerguard.policies.reachability import READS, Route, reachability
from brokerguard.policies.resource_conf import CLASSIFIED_TYPES, class_of, is_core, setting

# Core compute that lands in a subnet; S3 buckets or DynamoDB tables live outside any VPC.
NETWORKED_TYPES = tuple(t for t in CLASSIFIED_TYPES if t not in ("aws_s3_bucket", "aws_dynamodb_table", "aws_launch_template"))
# Attributes the isolation rules read on the resource they judge (its placement, addresses, groups, tags):
# an unknown one makes their pass a "cannot judge".
NETWORK_ATTRIBUTES = frozenset({
    "tags", "tags_all", "associate_public_ip_address", "network_interface", "network_interfaces",
    "publicly_accessible", "web_acl_id", "internal", "load_balancer_type", "subnet_id", "subnet_ids",
    "vpc_security_group_ids", "security_groups", "ingress", "route", "cidr_blocks", "ipv6_cidr_blocks",
    "cidr_ipv4", "cidr_ipv6", "gateway_id", "destination_cidr_block", "vpc_id", "vpc_endpoint_type",
    "resource_arn", "db_subnet_group_name", "subnets", "subnet_mapping", "type", "launch_template",
    "vpc_config", "network_configuration", "vpc_zone_identifier", "subnet_group_name", "cluster_subnet_group_name",
    "launch_configuration",
})
# Everything the functions below follow from a core system to the internet: what a rule built on them reads.
NETWORK_READS = tuple(dict.fromkeys((*CLASSIFIED_TYPES, "aws_rds_cluster_instance", *READS)))
UNCLASSIFIED_AS_CORE = Text("unclassified: treated as core", "未分級：視為核心系統")


def is_firewall(resource: Resource) -> bool:
    """An AWS Network Firewall, or a Gateway Load Balancer endpoint to a firewall appliance."""
    return resource.type == "aws_networkfirewall_firewall" or (
        resource.type == "aws_vpc_endpoint" and resource.values.get("vpc_endpoint_type") == "GatewayLoadBalancer")


def firewalls(stack: Stack) -> list[Resource]:
    return [r for r in stack.of_type("aws_networkfirewall_firewall", "aws_vpc_endpoint") if is_firewall(r)]


def is_entry_point(resource: Resource) -> bool:
    """An internet-facing load balancer: the front door, protected by WAF rather than isolated."""
    return resource.type in ("aws_lb", "aws_alb", "aws_elb") and resource.values.get("internal") not in (True, "true")


def core_resources(stack: Stack) -> list[Resource]:
    """Core systems that must be isolated from the internet (entry points excepted)."""
    return [r for r in stack.of_type(*CLASSIFIED_TYPES, "aws_rds_cluster_instance")
            if is_core(r.tags) and not is_entry_point(r)]


def unclassified(problem: Text) -> Text:
    """A problem of a system judged as core only because it is not classified."""
    return Text(f"{UNCLASSIFIED_AS_CORE}: {problem}", f"{UNCLASSIFIED_AS_CORE.zh}：{problem.zh}")


def cannot_judge(why: Text) -> Text:
    return Text(f"cannot judge: {why}", f"無法判定：{why.zh}")


def isolated(tags: dict[str, str]) -> str | None:
    """Why a resource must be isolated from the internet: "core", or, while its class tag is missing or
    not core/non-core, "unclassified: treated as core" (fail closed; the profile setting
    isolate_unclassified: false turns that off). None for a system classified non-core."""
    cls = class_of(tags)
    if cls is None:
        return UNCLASSIFIED_AS_CORE if setting("isolate_unclassified") else None
    return "core" if cls == "core" else None


def isolated_resources(stack: Stack) -> list[tuple[Resource, str]]:
    """Systems the isolation rules judge, each with why (core, or unclassified treated as core)."""
    out = []
    for r in stack.of_type(*CLASSIFIED_TYPES, "aws_rds_cluster_instance"):
        why = isolated(r.tags)
        if why and not is_entry_point(r):
            out.append((r, why))
    return out


def subnets_of(stack: Stack, resource: Resource) -> list[Resource]:
    return reachability(stack).placement(resource).subnets


def vpcs_of(stack: Stack, resource: Resource) -> list[Resource]:
    vpcs = {v.address: v for s in subnets_of(stack, resource) for v in stack.referenced(s, "aws_vpc")}
    return [vpcs[a] for a in sorted(vpcs)]


def security_groups_of(stack: Stack, resource: Resource) -> list[Resource]:
    return reachability(stack).security_groups(resource)


def internet_route(stack: Stack, subnet: Resource) -> Route | None:
    """The route that sends internet addresses from this subnet straight to an internet gateway."""
    routes, _ = reachability(stack).internet_routes(subnet)
    return next((r for r in routes if r.kind == "internet-gateway"), None)
