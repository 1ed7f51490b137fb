from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies.detection import finding_rules, targets_of
from brokerguard.policies.meta import Text
from brokerguard.policies.stack_rule import StackRule


def _responds(stack: Stack, target: Resource) -> bool:
    """A target that acts: a Lambda function, or an SSM Automation runbook (e.g. isolating an instance)."""
    arn = str(target.values.get("arn") or "")
    if stack.referenced(target, "aws_lambda_function") or ":lambda:" in arn or ":automation-definition/" in arn:
        return True
    return any(d.values.get("document_type") == "Automation" for d in stack.referenced(target, "aws_ssm_document"))


class AutomatedResponse(StackRule):
    def evaluate(self, stack: Stack) -> list[Finding]:
        for rule in finding_rules(stack):
            responder = next((t for t in targets_of(stack, rule) if _responds(stack, t)), None)
            if responder is not None:
                return [self.finding(responder, True, Text(f"{rule.address} -> {responder.address}",
                                                           f"{rule.address} -> {responder.address}"))]
        return [self.finding(None, False, Text("no findings rule targets a Lambda function or an SSM Automation runbook",
                                               "沒有任何發現項目規則以 Lambda 函數或 SSM Automation Runbook 為目標"))]


rule = AutomatedResponse()
