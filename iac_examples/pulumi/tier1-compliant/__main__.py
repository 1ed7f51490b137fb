"""Tier 1 online-trading stack, compliant: core systems in private subnets behind AWS Network
Firewall, an internet-facing ALB protected by a WAFv2 web ACL, every system classified by tags."""

import pulumi_aws as aws

from antivirus import build_antivirus
from detection import build_detection
from investigation import build_investigation
from mail import build_mail
from network import build_network
from network_security import build_firewall, build_waf
from resilience import build_resilience
from response import build_response

CORE = {"twb:class": "core"}
net = build_network()

alb_sg = aws.ec2.SecurityGroup("alb", name="alb", vpc_id=net.vpc.id, ingress=[
    aws.ec2.SecurityGroupIngressArgs(from_port=443, to_port=443, protocol="tcp", cidr_blocks=["0.0.0.0/0"]),
])
order_sg = aws.ec2.SecurityGroup("order", name="order", vpc_id=net.vpc.id, ingress=[
    aws.ec2.SecurityGroupIngressArgs(from_port=8443, to_port=8443, protocol="tcp", security_groups=[alb_sg.id]),
])
db_sg = aws.ec2.SecurityGroup("db", name="db", vpc_id=net.vpc.id)
aws.vpc.SecurityGroupIngressRule("db_from_order", security_group_id=db_sg.id,
                                 referenced_security_group_id=order_sg.id, from_port=5432, to_port=5432,
                                 ip_protocol="tcp")

web = aws.lb.LoadBalancer("web", name="online-order", load_balancer_type="application", internal=False,
                          security_groups=[alb_sg.id], subnets=[net.public_a.id, net.public_c.id], tags=CORE)

aws.ec2.Instance("order", ami="ami-0123456789abcdef0", instance_type="m6i.large", subnet_id=net.private_a.id,
                 vpc_security_group_ids=[order_sg.id], tags=CORE)

db_subnets = aws.rds.SubnetGroup("trading", name="trading", subnet_ids=[net.private_a.id, net.private_c.id])
aws.rds.Instance("ledger", identifier="ledger", engine="postgres", instance_class="db.m6i.large",
                 allocated_storage=100, db_subnet_group_name=db_subnets.name, vpc_security_group_ids=[db_sg.id],
                 publicly_accessible=False, multi_az=True, backup_retention_period=14, username="ledger",
                 manage_master_user_password=True, tags=CORE)

aws.s3.Bucket("reports", bucket="example-securities-reports",
              tags={"twb:system": "back-office-reporting", "twb:class": "non-core", "twb:confidentiality": "medium",
                    "twb:availability": "low"})

build_firewall(net)
build_waf(web)

build_mail()
build_antivirus()
build_detection(net.vpc)
build_response()
build_investigation()
build_resilience()
