from brokerguard.model import Finding, Stack
from brokerguard.policies.detection import enabled_detectors
from brokerguard.policies.stack_rule import StackRule


class GuardDutyEnabled(StackRule):
    """CC-17010 threat detection (anomaly analysis, attack detection): the stack runs an enabled
    GuardDuty detector. GuardDuty enabled for the whole organisation from a delegated administrator
    account is declared as evidence."""

    id = "TWB_STACK_023"
    name = "GuardDuty is enabled"
    control = "threat-detection"
    fix = "Declare an aws_guardduty_detector (enable = true), or declare the organisation-wide GuardDuty as evidence."
    guideline = "docs/checks.md#twb_stack_023"
    reads = ("aws_guardduty_detector",)
    attestable = True

    def evaluate(self, stack: Stack) -> list[Finding]:
        detectors = enabled_detectors(stack)
        if not detectors:
            return [self.finding(None, False, "the stack declares no enabled aws_guardduty_detector")]
        return [self.finding(d, True) for d in detectors]


rule = GuardDutyEnabled()
