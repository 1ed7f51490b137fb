from checkov.common.models.enums import CheckResult

from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.resource_conf import value


class SesReceiptRuleFilters(ResourceCheck):
    def scan_resource_conf(self, conf: dict) -> CheckResult:
        # Both default to off: a rule that does not set them neither scans nor requires TLS.
        if value(conf, "scan_enabled") not in (True, "true"):
            self.problem("scan_enabled is not true: incoming mail is not scanned for spam and viruses",
                         "scan_enabled 不是 true：來信未掃描垃圾郵件與病毒")
        policy = value(conf, "tls_policy")
        if str(policy or "Optional") != "Require":
            self.problem(f"tls_policy is {policy or 'Optional (the default)'!s}, not Require",
                         f"tls_policy 為 {policy or 'Optional（預設）'!s}，不是 Require")
        return CheckResult.FAILED if self.details else CheckResult.PASSED


check = SesReceiptRuleFilters()
