from checkov.common.models.enums import CheckResult

from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.resource_conf import setting
from brokerguard.policies.waf import managed_group_name, rules


class WafOwaspRuleGroups(ResourceCheck):
    def scan_resource_conf(self, conf: dict) -> CheckResult:
        running = {managed_group_name(rule) for rule in rules(conf)}
        missing = [g for g in setting("waf_owasp_rule_groups") if g not in running]
        if missing:
            self.problem(f"no rule runs {', '.join(missing)}", f"沒有規則執行 {', '.join(missing)}")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = WafOwaspRuleGroups()
