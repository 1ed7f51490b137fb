"""EC2 networking, instances, flow logs and load balancers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from brokerguard.providers.aws.discover import Context, pages
from brokerguard.providers.aws.live import LiveResource, with_tags

ROUTE_TARGETS = {  # API field -> (Terraform route attribute, Terraform type it points at)
    "GatewayId": ("gateway_id", "aws_internet_gateway"),
    "NatGatewayId": ("nat_gateway_id", "aws_nat_gateway"),
    "TransitGatewayId": ("transit_gateway_id", "aws_ec2_transit_gateway"),
    "VpcPeeringConnectionId": ("vpc_peering_connection_id", "aws_vpc_peering_connection"),
    "NetworkInterfaceId": ("network_interface_id", "aws_network_interface"),
    "InstanceId": ("instance_id", "aws_instance"),
}

FLOW_LOG_TARGETS = {"vpc": ("vpc_id", "aws_vpc"), "subnet": ("subnet_id", "aws_subnet"),
                    "eni": ("eni_id", "aws_network_interface"), "tgw": ("transit_gateway_id", "aws_ec2_transit_gateway")}


def _arn(ctx: Context, kind: str, rid: str) -> str:
    return f"arn:aws:ec2:{ctx.region}:{ctx.account}:{kind}/{rid}"


def _new(ctx: Context, rtype: str, rid: str, values: dict, arn: str | None = None) -> LiveResource:
    return LiveResource(type=rtype, id=rid, region=ctx.region, service="ec2.network", values=values, arn=arn)


def _route_table(ctx: Context, rt: dict) -> list[LiveResource]:
    rid = rt["RouteTableId"]
    routes = []
    table = _new(ctx, "aws_route_table", rid, {}, _arn(ctx, "route-table", rid))
    for route in rt.get("Routes", []):
        if route.get("Origin") == "CreateRouteTable":  # the VPC's local route: not part of Terraform's `route`
            continue
        entry: dict[str, Any] = {"cidr_block": route.get("DestinationCidrBlock", ""),
                                 "ipv6_cidr_block": route.get("DestinationIpv6CidrBlock", "")}
        for api, (attr, target) in ROUTE_TARGETS.items():
            found = route.get(api, "")
            if api == "GatewayId" and found.startswith("vpce-"):  # the API reports endpoints as gateways
                attr, target = "vpc_endpoint_id", "aws_vpc_endpoint"
            entry[attr] = found
            if found and found != "local":
                table.link(("route", len(routes), attr), target, found)
        for attr in ("gateway_id", "vpc_endpoint_id"):
            entry.setdefault(attr, "")
        routes.append(entry)
    table.values = with_tags({"id": rid, "vpc_id": rt["VpcId"], "route": routes}, rt.get("Tags"))
    table.link("vpc_id", "aws_vpc", rt["VpcId"])
    out = [table]
    for assoc in rt.get("Associations", []):
        aid = assoc["RouteTableAssociationId"]
        if assoc.get("Main"):
            res = _new(ctx, "aws_main_route_table_association", aid, {"id": aid, "vpc_id": rt["VpcId"], "route_table_id": rid})
            res.link("vpc_id", "aws_vpc", rt["VpcId"])
        elif assoc.get("SubnetId"):
            res = _new(ctx, "aws_route_table_association", aid,
                       {"id": aid, "subnet_id": assoc["SubnetId"], "route_table_id": rid})
            res.link("subnet_id", "aws_subnet", assoc["SubnetId"])
        elif assoc.get("GatewayId"):  # an edge association: where traffic arriving from the gateway goes
            res = _new(ctx, "aws_route_table_association", aid,
                       {"id": aid, "gateway_id": assoc["GatewayId"], "route_table_id": rid})
            res.link("gateway_id", "aws_internet_gateway", assoc["GatewayId"])
        else:
            continue
        res.link("route_table_id", "aws_route_table", rid)
        out.append(res)
    return out


def _permissions(rules: list[dict]) -> list[dict]:
    out = []
    for p in rules:
        out.append({
            "from_port": p.get("FromPort", 0), "to_port": p.get("ToPort", 0), "protocol": p.get("IpProtocol", "-1"),
            "cidr_blocks": [r["CidrIp"] for r in p.get("IpRanges", [])],
            "ipv6_cidr_blocks": [r["CidrIpv6"] for r in p.get("Ipv6Ranges", [])],
            "security_groups": [g["GroupId"] for g in p.get("UserIdGroupPairs", []) if g.get("GroupId")],
            "prefix_list_ids": [p_["PrefixListId"] for p_ in p.get("PrefixListIds", [])],
        })
    return out


def _security_group(ctx: Context, sg: dict) -> LiveResource:
    gid = sg["GroupId"]
    res = _new(ctx, "aws_security_group", gid, with_tags({
        "id": gid, "name": sg.get("GroupName", ""), "description": sg.get("Description", ""), "vpc_id": sg.get("VpcId", ""),
        "ingress": _permissions(sg.get("IpPermissions", [])), "egress": _permissions(sg.get("IpPermissionsEgress", [])),
    }, sg.get("Tags")), _arn(ctx, "security-group", gid))
    res.link("vpc_id", "aws_vpc", sg.get("VpcId"))
    for i, rule in enumerate(res.values["ingress"]):
        for other in rule["security_groups"]:
            res.link(("ingress", i, "security_groups"), "aws_security_group", other)
    return res


def read_network(ctx: Context) -> list[LiveResource]:
    ec2 = ctx.client("ec2")
    out = []
    for vpc in pages(ec2, "describe_vpcs", "Vpcs"):
        vid = vpc["VpcId"]
        out.append(_new(ctx, "aws_vpc", vid, with_tags({"id": vid, "cidr_block": vpc.get("CidrBlock", ""),
                                                        "is_default": vpc.get("IsDefault", False)}, vpc.get("Tags")),
                        _arn(ctx, "vpc", vid)))
    for sub in pages(ec2, "describe_subnets", "Subnets"):
        res = _new(ctx, "aws_subnet", sub["SubnetId"], with_tags({
            "id": sub["SubnetId"], "vpc_id": sub["VpcId"], "cidr_block": sub.get("CidrBlock", ""),
            "availability_zone": sub.get("AvailabilityZone", ""),
            "map_public_ip_on_launch": sub.get("MapPublicIpOnLaunch", False)}, sub.get("Tags")), sub.get("SubnetArn"))
        res.link("vpc_id", "aws_vpc", sub["VpcId"])
        out.append(res)
    for rt in pages(ec2, "describe_route_tables", "RouteTables"):
        out += _route_table(ctx, rt)
    for igw in pages(ec2, "describe_internet_gateways", "InternetGateways"):
        vpc = next((a["VpcId"] for a in igw.get("Attachments", []) if a.get("VpcId")), "")
        res = _new(ctx, "aws_internet_gateway", igw["InternetGatewayId"],
                   with_tags({"id": igw["InternetGatewayId"], "vpc_id": vpc}, igw.get("Tags")),
                   _arn(ctx, "internet-gateway", igw["InternetGatewayId"]))
        res.link("vpc_id", "aws_vpc", vpc)
        out.append(res)
    for sg in pages(ec2, "describe_security_groups", "SecurityGroups"):
        out.append(_security_group(ctx, sg))
    for nat in pages(ec2, "describe_nat_gateways", "NatGateways"):
        if nat.get("State") in ("deleted", "deleting", "failed"):
            continue
        nid = nat["NatGatewayId"]
        res = _new(ctx, "aws_nat_gateway", nid, with_tags({
            "id": nid, "subnet_id": nat.get("SubnetId", ""), "connectivity_type": nat.get("ConnectivityType", "public"),
            "allocation_id": next((a.get("AllocationId", "") for a in nat.get("NatGatewayAddresses", [])), "")},
            nat.get("Tags")), _arn(ctx, "natgateway", nid))
        res.link("subnet_id", "aws_subnet", nat.get("SubnetId"))
        out.append(res)
    for eigw in pages(ec2, "describe_egress_only_internet_gateways", "EgressOnlyInternetGateways"):
        gid = eigw["EgressOnlyInternetGatewayId"]
        vpc = next((a["VpcId"] for a in eigw.get("Attachments", []) if a.get("VpcId")), "")
        res = _new(ctx, "aws_egress_only_internet_gateway", gid, with_tags({"id": gid, "vpc_id": vpc}, eigw.get("Tags")),
                   _arn(ctx, "egress-only-internet-gateway", gid))
        res.link("vpc_id", "aws_vpc", vpc)
        out.append(res)
    for eni in pages(ec2, "describe_network_interfaces", "NetworkInterfaces"):
        eid = eni["NetworkInterfaceId"]
        groups = [g["GroupId"] for g in eni.get("Groups", [])]
        res = _new(ctx, "aws_network_interface", eid, with_tags({
            "id": eid, "subnet_id": eni.get("SubnetId", ""), "security_groups": groups,
            "public_ip": (eni.get("Association") or {}).get("PublicIp", ""),
            "attachment": [{"instance": (eni.get("Attachment") or {}).get("InstanceId", "")}]}, eni.get("TagSet")),
            _arn(ctx, "network-interface", eid))
        res.link("subnet_id", "aws_subnet", eni.get("SubnetId"))
        for gid in groups:
            res.link("security_groups", "aws_security_group", gid)
        out.append(res)
    for pl in pages(ec2, "describe_managed_prefix_lists", "PrefixLists"):
        pid = pl["PrefixListId"]
        entries = [{"cidr": e.get("Cidr", "")} for e in
                   pages(ec2, "get_managed_prefix_list_entries", "Entries", PrefixListId=pid)]
        out.append(_new(ctx, "aws_ec2_managed_prefix_list", pid, with_tags({
            "id": pid, "name": pl.get("PrefixListName", ""), "entry": entries}, pl.get("Tags")), pl.get("PrefixListArn")))
    for ep in pages(ec2, "describe_vpc_endpoints", "VpcEndpoints"):
        eid = ep["VpcEndpointId"]
        res = _new(ctx, "aws_vpc_endpoint", eid, with_tags({
            "id": eid, "vpc_id": ep.get("VpcId", ""), "service_name": ep.get("ServiceName", ""),
            "vpc_endpoint_type": ep.get("VpcEndpointType", ""), "subnet_ids": ep.get("SubnetIds", [])}, ep.get("Tags")),
            _arn(ctx, "vpc-endpoint", eid))
        res.link("vpc_id", "aws_vpc", ep.get("VpcId"))
        for sid in ep.get("SubnetIds", []):
            res.link("subnet_ids", "aws_subnet", sid)
        out.append(res)
    return out


def read_instances(ctx: Context) -> Iterator[LiveResource]:
    ec2 = ctx.client("ec2")
    for reservation in pages(ec2, "describe_instances", "Reservations"):
        for inst in reservation.get("Instances", []):
            if inst.get("State", {}).get("Name") == "terminated":
                continue
            iid = inst["InstanceId"]
            groups = [g["GroupId"] for g in inst.get("SecurityGroups", [])]
            res = LiveResource("aws_instance", iid, ctx.region, "ec2.instances", with_tags({
                "id": iid, "ami": inst.get("ImageId", ""), "instance_type": inst.get("InstanceType", ""),
                "subnet_id": inst.get("SubnetId", ""), "vpc_security_group_ids": groups,
                "associate_public_ip_address": bool(inst.get("PublicIpAddress")),
                "public_ip": inst.get("PublicIpAddress", ""), "private_ip": inst.get("PrivateIpAddress", ""),
                "iam_instance_profile": (inst.get("IamInstanceProfile") or {}).get("Arn", ""),
                "instance_state": inst.get("State", {}).get("Name", ""),
            }, inst.get("Tags")), arn=_arn(ctx, "instance", iid))
            res.link("subnet_id", "aws_subnet", inst.get("SubnetId"))
            for gid in groups:
                res.link("vpc_security_group_ids", "aws_security_group", gid)
            for i, nic in enumerate(inst.get("NetworkInterfaces", [])):
                res.link(("network_interface", i, "network_interface_id"), "aws_network_interface",
                         nic.get("NetworkInterfaceId"))
            yield res
    # DescribeAddresses has no paginator: it returns every address of the region at once.
    for addr in ctx.client("ec2").describe_addresses().get("Addresses", []):
        aid = addr.get("AllocationId") or addr.get("PublicIp")
        res = LiveResource("aws_eip", aid, ctx.region, "ec2.instances", with_tags({
            "id": aid, "public_ip": addr.get("PublicIp", ""), "instance": addr.get("InstanceId", ""),
            "network_interface": addr.get("NetworkInterfaceId", ""), "domain": addr.get("Domain", "")}, addr.get("Tags")),
            arn=_arn(ctx, "elastic-ip", aid))
        res.link("instance", "aws_instance", addr.get("InstanceId"))
        res.link("network_interface", "aws_network_interface", addr.get("NetworkInterfaceId"))
        yield res


def read_flow_logs(ctx: Context) -> Iterator[LiveResource]:
    for fl in pages(ctx.client("ec2"), "describe_flow_logs", "FlowLogs"):
        fid, target = fl["FlowLogId"], fl.get("ResourceId", "")
        kind, target_type = FLOW_LOG_TARGETS.get(target.split("-")[0], ("vpc_id", "aws_vpc"))
        values = {"id": fid, kind: target, "traffic_type": fl.get("TrafficType", ""),
                  "log_destination_type": fl.get("LogDestinationType", "cloud-watch-logs"),
                  "log_destination": fl.get("LogDestination", ""), "log_group_name": fl.get("LogGroupName", ""),
                  "iam_role_arn": fl.get("DeliverLogsPermissionArn", ""),
                  "deliver_logs_status": fl.get("DeliverLogsStatus", "")}
        res = LiveResource("aws_flow_log", fid, ctx.region, "ec2.flow_logs", with_tags(values, fl.get("Tags")),
                           arn=_arn(ctx, "vpc-flow-log", fid))
        res.link(kind, target_type, target)
        res.link("log_group_name", "aws_cloudwatch_log_group", fl.get("LogGroupName"))
        yield res


def read_load_balancers(ctx: Context) -> Iterator[LiveResource]:
    elb = ctx.client("elbv2")
    lbs = list(pages(elb, "describe_load_balancers", "LoadBalancers"))
    tags: dict[str, list] = {}
    for i in range(0, len(lbs), 20):  # DescribeTags takes at most 20 ARNs
        for desc in elb.describe_tags(ResourceArns=[lb["LoadBalancerArn"] for lb in lbs[i:i + 20]])["TagDescriptions"]:
            tags[desc["ResourceArn"]] = desc.get("Tags", [])
    for lb in lbs:
        arn = lb["LoadBalancerArn"]
        subnets = [az["SubnetId"] for az in lb.get("AvailabilityZones", []) if az.get("SubnetId")]
        res = LiveResource("aws_lb", lb["LoadBalancerName"], ctx.region, "elbv2", with_tags({
            "id": arn, "arn": arn, "name": lb["LoadBalancerName"], "load_balancer_type": lb.get("Type", "application"),
            "internal": lb.get("Scheme") == "internal", "security_groups": lb.get("SecurityGroups", []),
            "subnets": subnets, "vpc_id": lb.get("VpcId", ""), "dns_name": lb.get("DNSName", ""),
        }, tags.get(arn)), arn=arn)
        for gid in lb.get("SecurityGroups", []):
            res.link("security_groups", "aws_security_group", gid)
        for sid in subnets:
            res.link("subnets", "aws_subnet", sid)
        yield res


def read_classic_load_balancers(ctx: Context) -> Iterator[LiveResource]:
    elb = ctx.client("elb")
    lbs = list(pages(elb, "describe_load_balancers", "LoadBalancerDescriptions"))
    tags: dict[str, list] = {}
    for i in range(0, len(lbs), 20):  # DescribeTags takes at most 20 names
        names = [lb["LoadBalancerName"] for lb in lbs[i:i + 20]]
        for desc in elb.describe_tags(LoadBalancerNames=names).get("TagDescriptions", []):
            tags[desc["LoadBalancerName"]] = desc.get("Tags", [])
    for lb in lbs:
        name = lb["LoadBalancerName"]
        arn = f"arn:aws:elasticloadbalancing:{ctx.region}:{ctx.account}:loadbalancer/{name}"
        res = LiveResource("aws_elb", name, ctx.region, "elb", with_tags({
            "id": name, "arn": arn, "name": name, "internal": lb.get("Scheme") == "internal",
            "subnets": lb.get("Subnets", []), "security_groups": lb.get("SecurityGroups", []),
            "dns_name": lb.get("DNSName", "")}, tags.get(name)), arn=arn)
        for sid in lb.get("Subnets", []):
            res.link("subnets", "aws_subnet", sid)
        for gid in lb.get("SecurityGroups", []):
            res.link("security_groups", "aws_security_group", gid)
        yield res


READERS = {"ec2.network": read_network, "ec2.instances": read_instances, "ec2.flow_logs": read_flow_logs,
           "elbv2": read_load_balancers, "elb": read_classic_load_balancers}
