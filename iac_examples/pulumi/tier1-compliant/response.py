"""Automated response: GuardDuty and Security Hub findings go to a function that isolates the
affected instance and pages the security team."""

import json

import pulumi_aws as aws


def build_response() -> None:
    rule = aws.cloudwatch.EventRule("findings", name="security-findings",
                                    event_pattern=json.dumps({"source": ["aws.guardduty", "aws.securityhub"]}))
    isolate = aws.lambda_.Function("isolate", name="isolate-compromised-instance",
                                   role="arn:aws:iam::123456789012:role/security-response", runtime="python3.12",
                                   handler="isolate.handler",
                                   tags={"twb:system": "security-response", "twb:class": "non-core"})
    aws.cloudwatch.EventTarget("isolate", rule=rule.name, arn=isolate.arn)
