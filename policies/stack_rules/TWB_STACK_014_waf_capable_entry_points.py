from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies.meta import Text
from brokerguard.policies.stack_rule import StackRule

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
