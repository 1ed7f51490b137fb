from brokerguard.model import Finding, Stack
from brokerguard.policies.detection import finding_rules, targets_of
from brokerguard.policies.meta import Text
from brokerguard.policies.stack_rule import StackRule


class FindingsRouted(StackRule):
    def evaluate(self, stack: Stack) -> list[Finding]:
        rules = finding_rules(stack)
        if not rules:
            return [self.finding(None, False, Text(
                "no enabled EventBridge rule matches aws.guardduty or aws.securityhub events",
                "沒有任何已啟用的 EventBridge 規則比對 aws.guardduty 或 aws.securityhub 事件"))]
        findings = []
        for r in rules:
            targets = targets_of(stack, r)
            findings.append(self.finding(r, bool(targets), Text(
                f"target {targets[0].address}", f"目標 {targets[0].address}") if targets else Text(
                "the rule matches findings but has no aws_cloudwatch_event_target",
                "此規則比對發現項目，但沒有 aws_cloudwatch_event_target")))
        return findings


rule = FindingsRouted()
