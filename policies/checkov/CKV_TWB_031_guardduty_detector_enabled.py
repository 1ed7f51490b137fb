from checkov.common.models.enums import CheckResult

from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.resource_conf import value


class GuardDutyDetectorEnabled(ResourceCheck):
    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if value(conf, "enable", True) in (False, "false"):
            self.problem("enable is false: the detector analyses nothing", "enable 為 false：偵測器不分析任何事件")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = GuardDutyDetectorEnabled()
