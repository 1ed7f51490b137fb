from checkov.common.models.enums import CheckResult

from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.resource_conf import effective_tags, is_core, value


class CoreDatabaseNotPublic(ResourceCheck):
    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if not is_core(effective_tags(conf)):
            return CheckResult.UNKNOWN  # only core systems must be isolated
        if value(conf, "publicly_accessible") in (True, "true"):
            self.problem("publicly_accessible is true on a core database", "核心資料庫的 publicly_accessible 為 true")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = CoreDatabaseNotPublic()
