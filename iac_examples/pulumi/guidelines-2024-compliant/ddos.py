"""DDoS protection (網路安全防護參考指引 art. 16-2): Shield Advanced on the online-order ALB and the public zone."""

import pulumi_aws as aws


def build_ddos(web: aws.lb.LoadBalancer, zone: aws.route53.Zone) -> None:
    aws.shield.Protection("web", name="online-order-alb", resource_arn=web.arn)
    aws.shield.Protection("zone", name="public-zone", resource_arn=zone.arn)
