from brokerguard.model import Finding, Stack
from brokerguard.policies.stack_rule import StackRule


class CloudTrailPresent(StackRule):
    """CC-17010 threat detection (event collection): the stack records API activity in a CloudTrail
    trail (CKV_TWB_032 judges each trail). An organisation trail kept by the management account is
    declared as evidence."""

    id = "TWB_STACK_025"
    name = "A CloudTrail trail records the account's activity"
    control = "threat-detection"
    fix = (
        'Declare an aws_cloudtrail with is_multi_region_trail and enable_log_file_validation, or '
        'declare the organisation trail as evidence.'
    )
    guideline = "docs/checks.md#twb_stack_025"
    reads = ("aws_cloudtrail",)
    attestable = True

    def evaluate(self, stack: Stack) -> list[Finding]:
        trails = stack.of_type("aws_cloudtrail")
        if not trails:
            return [self.finding(None, False, "the stack declares no aws_cloudtrail")]
        return [self.finding(t, True) for t in trails]  # how each records is CKV_TWB_032's to judge


rule = CloudTrailPresent()
