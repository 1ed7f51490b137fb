"""Tier 4 broker, compliant: core systems in a private subnet, an internet-facing ALB without WAF
(tier 4 does not require one), classification tags on every system. Internet traffic passes the
group's central inspection firewall in another account: the profile declares it as evidence."""

import pulumi_aws as aws

from antivirus import build_antivirus

CORE = {"twb:class": "core"}

vpc = aws.ec2.Vpc("main", cidr_block="10.20.0.0/16")
igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id)

public_a = aws.ec2.Subnet("public_a", vpc_id=vpc.id, cidr_block="10.20.0.0/24")
public_c = aws.ec2.Subnet("public_c", vpc_id=vpc.id, cidr_block="10.20.1.0/24")
private = aws.ec2.Subnet("private", vpc_id=vpc.id, cidr_block="10.20.10.0/24")

public_rt = aws.ec2.RouteTable("public", vpc_id=vpc.id, routes=[
    aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id),
])
aws.ec2.RouteTableAssociation("public_a", subnet_id=public_a.id, route_table_id=public_rt.id)
aws.ec2.RouteTableAssociation("public_c", subnet_id=public_c.id, route_table_id=public_rt.id)

# Private egress goes to the central inspection VPC over the transit gateway.
private_rt = aws.ec2.RouteTable("private", vpc_id=vpc.id, routes=[
    aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", transit_gateway_id="tgw-0123456789abcdef0"),
])
aws.ec2.RouteTableAssociation("private", subnet_id=private.id, route_table_id=private_rt.id)

alb_sg = aws.ec2.SecurityGroup("alb", vpc_id=vpc.id, ingress=[
    aws.ec2.SecurityGroupIngressArgs(from_port=443, to_port=443, protocol="tcp", cidr_blocks=["0.0.0.0/0"]),
])
app_sg = aws.ec2.SecurityGroup("app", vpc_id=vpc.id, ingress=[
    aws.ec2.SecurityGroupIngressArgs(from_port=8080, to_port=8080, protocol="tcp", security_groups=[alb_sg.id]),
])

aws.lb.LoadBalancer("web", name="order-routing", load_balancer_type="application", internal=False,
                    security_groups=[alb_sg.id], subnets=[public_a.id, public_c.id], tags=CORE)

aws.ec2.Instance("router", ami="ami-0123456789abcdef0", instance_type="t3.large", subnet_id=private.id,
                 vpc_security_group_ids=[app_sg.id], tags=CORE)

db_subnets = aws.rds.SubnetGroup("main", subnet_ids=[private.id])
aws.rds.Instance("orders", engine="postgres", instance_class="db.t3.medium", allocated_storage=50,
                 db_subnet_group_name=db_subnets.name, vpc_security_group_ids=[app_sg.id],
                 publicly_accessible=False, tags=CORE)

build_antivirus()
