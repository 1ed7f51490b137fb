"""The tier-1 stack as the 2023-2024 guidelines want it too (twin of
iac_examples/terraform/guidelines-2024-compliant): in ap-east-2, the ledger's material customer data under a
rotating customer-managed key, Shield Advanced on the entry points, a trading login with MFA ON."""

import pulumi
import pulumi_aws as aws

from antivirus import build_antivirus
from customer_data import build_customer_data_key
from ddos import build_ddos
from detection import build_detection
from investigation import build_investigation
from mail import build_mail
from network import build_network
from network_security import build_firewall, build_waf
from resilience import build_resilience
from response import build_response
from trading_login import build_trading_login

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

key = build_customer_data_key()
db_subnets = aws.rds.SubnetGroup("trading", name="trading", subnet_ids=[net.private_a.id, net.private_c.id])
aws.rds.Instance("ledger", identifier="ledger", engine="postgres", instance_class="db.m6i.large",
                 allocated_storage=100, db_subnet_group_name=db_subnets.name, vpc_security_group_ids=[db_sg.id],
                 publicly_accessible=False, multi_az=True, backup_retention_period=14, username="ledger",
                 manage_master_user_password=True, storage_encrypted=True, kms_key_id=key.arn,
                 tags={**CORE, "twb:data-class": "material-natural-person"})

aws.s3.Bucket("reports", bucket="example-securities-reports",
              tags={"twb:system": "back-office-reporting", "twb:class": "non-core", "twb:confidentiality": "medium",
                    "twb:availability": "low"})

build_firewall(net)
build_waf(web)

zone = build_mail()
build_ddos(web, zone)
build_trading_login()
build_antivirus()
build_detection(net.vpc)
build_response()
build_investigation()
build_resilience()
