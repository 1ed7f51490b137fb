from checkov.common.models.enums import CheckResult

from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.resource_conf import effective_tags, is_core, value


class CoreDatabaseMultiAz(ResourceCheck):
    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if not is_core(effective_tags(conf)) or value(conf, "replicate_source_db"):
            return CheckResult.UNKNOWN
        if value(conf, "multi_az") not in (True, "true"):
            self.problem("multi_az is not true: one availability zone failing stops the core database",
                         "multi_az 不是 true：單一可用區失效即會使核心資料庫停止")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = CoreDatabaseMultiAz()
