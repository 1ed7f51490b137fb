from checkov.common.models.enums import CheckResult

from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.waf import stops_floods


class WafRateBasedRule(ResourceCheck):
    def scan_resource_conf(self, conf: dict) -> CheckResult:
        stops, why = stops_floods(conf)
        if stops:
            return CheckResult.PASSED
        self.problem(why, why.zh)
        return CheckResult.FAILED


check = WafRateBasedRule()
