from brokerguard.policies.meta import MEDIUM, OK, Meta, Text
from brokerguard.policies.stack_rule import StackRule

from brokerguard.model import Finding, Stack


class SecurityHubStandard(StackRule):
    meta = Meta(
        name=Text("Security Hub is enabled with at least one standard", "Security Hub 已啟用且訂閱至少一項標準"),
        description=Text(
            "CC-17010 threat detection (event collection): Security Hub is enabled and subscribed to at least one "
            "standard (aws_securityhub_account and aws_securityhub_standards_subscription). Security Hub administered "
            "for the organisation from another account is declared as evidence.",
            "CC-17010 威脅偵測（事件收集）：Security Hub 已啟用並訂閱至少一項標準（aws_securityhub_account 與 "
            "aws_securityhub_standards_subscription）。由其他帳號為組織管理的 Security Hub 以佐證資料宣告。"),
        fix=Text("Declare an aws_securityhub_account and an aws_securityhub_standards_subscription (e.g. AWS "
                 "Foundational Security Best Practices), or declare the central Security Hub as evidence.",
                 "宣告 aws_securityhub_account 與 aws_securityhub_standards_subscription（例如 AWS Foundational Security "
                 "Best Practices），或以佐證資料宣告集中式 Security Hub。"),
        severity=MEDIUM,
        types=("aws_securityhub_account", "aws_securityhub_standards_subscription"),
        attributes=frozenset(),
        attestable=True,
    )

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
