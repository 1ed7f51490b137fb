from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies.detection import EVENTS_READS, finding_rules, targets_of
from brokerguard.policies.stack_rule import StackRule


def _responds(stack: Stack, target: Resource) -> bool:
    """A target that acts: a Lambda function, or an SSM Automation runbook (e.g. isolating an instance)."""
    arn = str(target.values.get("arn") or "")
    if stack.referenced(target, "aws_lambda_function") or ":lambda:" in arn or ":automation-definition/" in arn:
        return True
    return any(d.values.get("document_type") == "Automation" for d in stack.referenced(target, "aws_ssm_document"))


class AutomatedResponse(StackRule):
    """CC-17010 APT defence (respond by isolating users and devices): an EventBridge rule on
    GuardDuty or Security Hub findings targets a Lambda function or an SSM Automation runbook.
    A response run from a central security account is declared as evidence."""

    id = "TWB_STACK_030"
    name = "Findings trigger an automated response (Lambda or SSM Automation)"
    control = "apt-defense"
    fix = (
        'Add an aws_cloudwatch_event_target on a findings rule whose arn is an aws_lambda_function or an '
        'SSM Automation document (automation-definition ARN) that isolates the affected resource.'
    )
    guideline = "docs/checks.md#twb_stack_030"
    reads = EVENTS_READS + ("aws_lambda_function", "aws_ssm_document")
    attestable = True

    def evaluate(self, stack: Stack) -> list[Finding]:
        for rule in finding_rules(stack):
            responder = next((t for t in targets_of(stack, rule) if _responds(stack, t)), None)
            if responder is not None:
                return [self.finding(responder, True, f"{rule.address} -> {responder.address}")]
        return [self.finding(None, False, "no findings rule targets a Lambda function or an SSM Automation runbook")]


rule = AutomatedResponse()
