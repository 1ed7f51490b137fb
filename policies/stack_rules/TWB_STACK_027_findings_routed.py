from brokerguard.policies.detection import EVENTS_READS, finding_rules, targets_of
from brokerguard.policies.meta import MEDIUM, Meta, Text
from brokerguard.policies.stack_rule import StackRule

from brokerguard.model import Finding, Stack


class FindingsRouted(StackRule):
    meta = Meta(
        name=Text("GuardDuty or Security Hub findings are routed to a target",
                  "GuardDuty 或 Security Hub 的發現項目會轉送至目標"),
        description=Text(
            "CC-17010 threat detection (event collection): an EventBridge rule matches GuardDuty or Security Hub "
            "findings (event pattern source aws.guardduty or aws.securityhub) and sends them to a target (SNS, Lambda, "
            "a SIEM stream). Routing run from a central security account is declared as evidence.",
            "CC-17010 威脅偵測（事件收集）：EventBridge 規則比對 GuardDuty 或 Security Hub 的發現項目（事件樣式 source 為 "
            "aws.guardduty 或 aws.securityhub），並送往目標（SNS、Lambda、SIEM 串流）。由集中式安全帳號執行的轉送以"
            "佐證資料宣告。"),
        fix=Text('Add an aws_cloudwatch_event_rule with event_pattern source ["aws.guardduty"] or ["aws.securityhub"] '
                 "and an aws_cloudwatch_event_target sending it to SNS, Lambda or a SIEM stream.",
                 '新增 event_pattern source 為 ["aws.guardduty"] 或 ["aws.securityhub"] 的 aws_cloudwatch_event_rule，'
                 "以及將其送往 SNS、Lambda 或 SIEM 串流的 aws_cloudwatch_event_target。"),
        severity=MEDIUM,
        types=EVENTS_READS,
        attributes={"event_pattern", "state", "is_enabled", "name"},
        attestable=True,
    )

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
