"""Non-compliant at tiers 1-2 from 2023: the internet-facing ALB has no WAFv2 web ACL association."""

import pulumi_aws as aws

aws.lb.LoadBalancer("web", name="online-order", load_balancer_type="application", internal=False,
                    subnets=["subnet-0aaaaaaaaaaaaaaa0", "subnet-0ccccccccccccccc0"])

# An internal load balancer needs no WAF.
aws.lb.LoadBalancer("internal", name="risk-engine", load_balancer_type="application", internal=True,
                    subnets=["subnet-0bbbbbbbbbbbbbbb0", "subnet-0ddddddddddddddd0"])
