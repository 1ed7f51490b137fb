from brokerguard.model import Finding, Stack
from brokerguard.policies.meta import OK, Text
from brokerguard.policies.stack_rule import StackRule


class SecurityHubStandard(StackRule):
    def evaluate(self, stack: Stack) -> list[Finding]:
        hubs = stack.of_type("aws_securityhub_account")
        standards = stack.of_type("aws_securityhub_standards_subscription")
        if not hubs:
            return [self.finding(None, False, Text("the stack declares no aws_securityhub_account",
                                                   "堆疊未宣告 aws_securityhub_account"))]
        return [self.finding(h, bool(standards), OK if standards else Text(
            "Security Hub is enabled but subscribed to no standard (aws_securityhub_standards_subscription)",
            "Security Hub 已啟用但未訂閱任何標準（aws_securityhub_standards_subscription）")) for h in hubs]


rule = SecurityHubStandard()
