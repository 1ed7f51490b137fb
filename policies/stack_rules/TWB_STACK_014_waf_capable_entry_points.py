from brokerguard.policies.meta import HIGH, Meta, Text
from brokerguard.policies.stack_rule import StackRule

from brokerguard.model import Finding, Resource, Stack

# Entry points a WAFv2 web ACL cannot be associated with, and how to put one in front (en, zh-TW).
_CANNOT_CARRY = {
    "aws_elb": ("a Classic Load Balancer cannot carry a WAFv2 web ACL", "Classic Load Balancer 無法關聯 WAFv2 Web ACL"),
    "aws_apigatewayv2_api": ("an API Gateway v2 API (HTTP or WebSocket) cannot carry a WAFv2 web ACL",
                             "API Gateway v2 API（HTTP 或 WebSocket）無法關聯 WAFv2 Web ACL"),
    "aws_lambda_function_url": ("a Lambda function URL cannot carry a WAFv2 web ACL",
                                "Lambda 函式 URL 無法關聯 WAFv2 Web ACL"),
}


def _internet_facing(r: Resource) -> bool:
    if r.type == "aws_elb":
        return r.values.get("internal") not in (True, "true")
    if r.type == "aws_lambda_function_url":  # AWS_IAM: only signed requests of the account's principals
        return str(r.values.get("authorization_type")).upper() != "AWS_IAM"
    return True  # an API Gateway v2 endpoint is public (a private integration does not make it private)


class WafCapableEntryPoints(StackRule):
    meta = Meta(
        name=Text("No internet entry point is of a kind that cannot carry a WAFv2 web ACL",
                  "網際網路入口皆為可關聯 WAFv2 Web ACL 的類型"),
        description=Text(
            "CC-17010 WAF: a web application firewall can only protect an entry point it can be associated with. An "
            "internet-facing Classic Load Balancer, an API Gateway v2 HTTP or WebSocket API and a Lambda function URL "
            "without IAM authorization cannot carry a WAFv2 web ACL, so each fails. A CloudFront distribution with a "
            "web ACL in front does not make the origin's own endpoint unreachable, so it is not accepted here.",
            "CC-17010 WAF：應用程式防火牆只能保護可與之關聯的入口。面向網際網路的 Classic Load Balancer、API Gateway "
            "v2 HTTP 或 WebSocket API，以及未採 IAM 授權的 Lambda 函式 URL 均無法關聯 WAFv2 Web ACL，因此不通過。"
            "前方的 CloudFront 與 Web ACL 並不會讓來源端點本身無法被直接存取，故在此不予採認。"),
        fix=Text("Replace a Classic Load Balancer with an Application Load Balancer and associate a WAFv2 web ACL; "
                 "serve an HTTP API as an API Gateway REST API stage with a web ACL; give a function URL "
                 "authorization_type = \"AWS_IAM\" and publish it through CloudFront with a WAFv2 web ACL (origin access "
                 "control), or through an ALB or REST API with one.",
                 "以 Application Load Balancer 取代 Classic Load Balancer 並關聯 WAFv2 Web ACL；HTTP API 改以具 Web ACL 的 "
                 "API Gateway REST API stage 提供；函式 URL 設定 authorization_type = \"AWS_IAM\"，並經由具 WAFv2 Web "
                 "ACL 的 CloudFront（origin access control）、ALB 或 REST API 對外提供。"),
        severity=HIGH,
        types=tuple(_CANNOT_CARRY),
        attributes={"internal", "authorization_type", "protocol_type"},
    )

    def evaluate(self, stack: Stack) -> list[Finding]:
        findings = []
        for entry in stack.of_type(*_CANNOT_CARRY):
            if _internet_facing(entry):
                en, zh = _CANNOT_CARRY[entry.type]
                findings.append(self.finding(entry, False, Text(f"internet-facing, but {en}", f"面向網際網路，但{zh}")))
            else:
                findings.append(self.finding(entry, True, Text("not reachable from the internet without credentials",
                                                               "未經授權無法自網際網路存取")))
        return findings


rule = WafCapableEntryPoints()
