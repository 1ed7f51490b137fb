from brokerguard.model import Finding, Stack
from brokerguard.policies.detection import EVENTS_READS, finding_rules, targets_of
from brokerguard.policies.stack_rule import StackRule


class FindingsRouted(StackRule):
    """CC-17010 threat detection (event collection): an EventBridge rule matches GuardDuty or
    Security Hub findings (event pattern source aws.guardduty or aws.securityhub) and sends them to
    a target (SNS, Lambda, a SIEM stream). Routing run from a central security account is declared
    as evidence."""

    id = "TWB_STACK_027"
    name = "GuardDuty or Security Hub findings are routed to a target"
    control = "threat-detection"
    fix = (
        'Add an aws_cloudwatch_event_rule with event_pattern source ["aws.guardduty"] or '
        '["aws.securityhub"] and an aws_cloudwatch_event_target sending it to SNS, Lambda or a SIEM stream.'
    )
    guideline = "docs/checks.md#twb_stack_027"
    reads = EVENTS_READS
    attestable = True

    def evaluate(self, stack: Stack) -> list[Finding]:
        rules = finding_rules(stack)
        if not rules:
            return [self.finding(None, False,
                                 "no enabled EventBridge rule matches aws.guardduty or aws.securityhub events")]
        findings = []
        for r in rules:
            targets = targets_of(stack, r)
            findings.append(self.finding(r, bool(targets), f"target {targets[0].address}" if targets else
                                         "the rule matches findings but has no aws_cloudwatch_event_target"))
        return findings


rule = FindingsRouted()
