from brokerguard.model import Finding, Stack
from brokerguard.policies.detection import enabled_detectors
from brokerguard.policies.meta import Text
from brokerguard.policies.stack_rule import StackRule


class GuardDutyEnabled(StackRule):
    def evaluate(self, stack: Stack) -> list[Finding]:
        detectors = enabled_detectors(stack)
        if not detectors:
            return [self.finding(None, False, Text("the stack declares no enabled aws_guardduty_detector",
                                                   "堆疊未宣告任何已啟用的 aws_guardduty_detector"))]
        return [self.finding(d, True) for d in detectors]


rule = GuardDutyEnabled()
