from brokerguard.model import Finding, Stack
from brokerguard.policies.stack_rule import StackRule


class SecurityHubStandard(StackRule):
    """CC-17010 threat detection (event collection): Security Hub is enabled and subscribed to at
    least one standard (aws_securityhub_account and aws_securityhub_standards_subscription).
    Security Hub administered for the organisation from another account is declared as evidence."""

    id = "TWB_STACK_024"
    name = "Security Hub is enabled with at least one standard"
    control = "threat-detection"
    fix = (
        'Declare an aws_securityhub_account and an aws_securityhub_standards_subscription (e.g. AWS '
        'Foundational Security Best Practices), or declare the central Security Hub as evidence.'
    )
    guideline = "docs/checks.md#twb_stack_024"
    reads = ("aws_securityhub_account", "aws_securityhub_standards_subscription")
    attestable = True

    def evaluate(self, stack: Stack) -> list[Finding]:
        hubs = stack.of_type("aws_securityhub_account")
        standards = stack.of_type("aws_securityhub_standards_subscription")
        if not hubs:
            return [self.finding(None, False, "the stack declares no aws_securityhub_account")]
        return [self.finding(h, bool(standards), "ok" if standards else
                             "Security Hub is enabled but subscribed to no standard "
                             "(aws_securityhub_standards_subscription)") for h in hubs]


rule = SecurityHubStandard()
