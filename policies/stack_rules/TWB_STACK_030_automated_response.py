from brokerguard.policies.detection import EVENTS_READS, finding_rules, targets_of
from brokerguard.policies.meta import MEDIUM, Meta, Text
from brokerguard.policies.stack_rule import StackRule

from brokerguard.model import Finding, Resource, Stack


def _responds(stack: Stack, target: Resource) -> bool:
    """A target that acts: a Lambda function, or an SSM Automation runbook (e.g. isolating an instance)."""
    arn = str(target.values.get("arn") or "")
    if stack.referenced(target, "aws_lambda_function") or ":lambda:" in arn or ":automation-definition/" in arn:
        return True
    return any(d.values.get("document_type") == "Automation" for d in stack.referenced(target, "aws_ssm_document"))


class AutomatedResponse(StackRule):
    meta = Meta(
        name=Text("Findings trigger an automated response (Lambda or SSM Automation)",
                  "發現項目觸發自動化回應（Lambda 或 SSM Automation）"),
        description=Text(
            "CC-17010 APT defence (respond by isolating users and devices): an EventBridge rule on GuardDuty or "
            "Security Hub findings targets a Lambda function or an SSM Automation runbook. A response run from a "
            "central security account is declared as evidence.",
            "CC-17010 APT 防禦（以隔離使用者與裝置回應）：針對 GuardDuty 或 Security Hub 發現項目的 EventBridge 規則以 "
            "Lambda 函數或 SSM Automation Runbook 為目標。由集中式安全帳號執行的回應以佐證資料宣告。"),
        fix=Text("Add an aws_cloudwatch_event_target on a findings rule whose arn is an aws_lambda_function or an SSM "
                 "Automation document (automation-definition ARN) that isolates the affected resource.",
                 "在發現項目規則上新增 aws_cloudwatch_event_target，其 arn 為會隔離受影響資源的 aws_lambda_function 或 "
                 "SSM Automation 文件（automation-definition ARN）。"),
        severity=MEDIUM,
        types=EVENTS_READS + ("aws_lambda_function", "aws_ssm_document"),
        attributes={"arn"},
        attestable=True,
    )

    def evaluate(self, stack: Stack) -> list[Finding]:
        for rule in finding_rules(stack):
            responder = next((t for t in targets_of(stack, rule) if _responds(stack, t)), None)
            if responder is not None:
                return [self.finding(responder, True, Text(f"{rule.address} -> {responder.address}",
                                                           f"{rule.address} -> {responder.address}"))]
        return [self.finding(None, False, Text("no findings rule targets a Lambda function or an SSM Automation runbook",
                                               "沒有任何發現項目規則以 Lambda 函數或 SSM Automation Runbook 為目標"))]


rule = AutomatedResponse()
