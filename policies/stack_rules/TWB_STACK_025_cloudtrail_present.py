from brokerguard.model import Finding, Stack
from brokerguard.policies.meta import Text
from brokerguard.policies.stack_rule import StackRule


class CloudTrailPresent(StackRule):
    def evaluate(self, stack: Stack) -> list[Finding]:
        trails = stack.of_type("aws_cloudtrail")
        if not trails:
            return [self.finding(None, False, Text("the stack declares no aws_cloudtrail", "堆疊未宣告 aws_cloudtrail"))]
        return [self.finding(t, True) for t in trails]  # how each records is CKV_TWB_032's to judge


rule = CloudTrailPresent()
