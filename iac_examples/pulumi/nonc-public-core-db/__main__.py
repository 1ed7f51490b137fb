"""Non-compliant (every tier): the core settlement database is publicly accessible and sits in a
subnet whose route table sends 0.0.0.0/0 to the internet gateway."""

import pulumi_aws as aws

vpc = aws.ec2.Vpc("main", cidr_block="10.30.0.0/16")
igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id)
public_a = aws.ec2.Subnet("public_a", vpc_id=vpc.id, cidr_block="10.30.0.0/24")
public_c = aws.ec2.Subnet("public_c", vpc_id=vpc.id, cidr_block="10.30.1.0/24")

public = aws.ec2.RouteTable("public", vpc_id=vpc.id, routes=[
    aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id),
])
aws.ec2.RouteTableAssociation("public_a", subnet_id=public_a.id, route_table_id=public.id)
aws.ec2.RouteTableAssociation("public_c", subnet_id=public_c.id, route_table_id=public.id)

aws.networkfirewall.Firewall(
    "edge", name="edge", vpc_id=vpc.id,
    firewall_policy_arn="arn:aws:network-firewall:ap-northeast-1:111122223333:firewall-policy/edge",
    subnet_mappings=[aws.networkfirewall.FirewallSubnetMappingArgs(subnet_id=public_a.id)])

db_sg = aws.ec2.SecurityGroup("db", vpc_id=vpc.id, ingress=[
    aws.ec2.SecurityGroupIngressArgs(from_port=5432, to_port=5432, protocol="tcp", cidr_blocks=["0.0.0.0/0"]),
])
db_subnets = aws.rds.SubnetGroup("public", subnet_ids=[public_a.id, public_c.id])

aws.rds.Instance("settlement", engine="postgres", instance_class="db.m6i.large", allocated_storage=100,
                 db_subnet_group_name=db_subnets.name, vpc_security_group_ids=[db_sg.id],
                 publicly_accessible=True,
                 tags={"twb:system": "settlement", "twb:class": "core", "twb:confidentiality": "high",
                       "twb:integrity": "high", "twb:availability": "high", "twb:legal-compliance": "high"})
