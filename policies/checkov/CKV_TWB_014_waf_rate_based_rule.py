from checkov.common.models.enums import CheckResult

from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.stack_rule import blocks
from brokerguard.policies.waf import action, rules


class WafRateBasedRule(ResourceCheck):
    def scan_resource_conf(self, conf: dict) -> CheckResult:
        rate_rules = [r for r in rules(conf) if any(blocks(s, "rate_based_statement") for s in blocks(r, "statement"))]
        if any(action(r) in ("block", "captcha", "challenge") for r in rate_rules):
            return CheckResult.PASSED
        if rate_rules:
            self.problem("the rate-based rule only counts", "速率規則僅計數")
        else:
            self.problem("no rule has a rate_based_statement", "沒有規則含 rate_based_statement")
        return CheckResult.FAILED


check = WafRateBasedRule()
