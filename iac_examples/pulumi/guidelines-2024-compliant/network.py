"""The VPC of the tier-1 stack: public subnets for the load balancer, private ones for core systems."""

from types import SimpleNamespace

import pulumi_aws as aws


def build_network() -> SimpleNamespace:
    vpc = aws.ec2.Vpc("trading", cidr_block="10.10.0.0/16")
    igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id)

    def subnet(name: str, cidr: str, az: str) -> aws.ec2.Subnet:
        return aws.ec2.Subnet(name, vpc_id=vpc.id, cidr_block=cidr, availability_zone=az)

    net = SimpleNamespace(
        vpc=vpc,
        public_a=subnet("public_a", "10.10.0.0/24", "ap-east-2a"),
        public_c=subnet("public_c", "10.10.1.0/24", "ap-east-2b"),
        firewall=subnet("firewall", "10.10.2.0/28", "ap-east-2a"),
        private_a=subnet("private_a", "10.10.10.0/24", "ap-east-2a"),
        private_c=subnet("private_c", "10.10.11.0/24", "ap-east-2b"),
    )
    public = aws.ec2.RouteTable("public", vpc_id=vpc.id, routes=[
        aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id),
    ])
    for name in ("public_a", "public_c"):
        aws.ec2.RouteTableAssociation(name, subnet_id=getattr(net, name).id, route_table_id=public.id)

    # Private subnets leave the VPC only through the firewall endpoint (its route: network_security.py).
    net.private_routes = private = aws.ec2.RouteTable("private", vpc_id=vpc.id)
    for name in ("private_a", "private_c"):
        aws.ec2.RouteTableAssociation(name, subnet_id=getattr(net, name).id, route_table_id=private.id)
    return net
