from checkov.common.models.enums import CheckResult

from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.resource_conf import value


class CloudTrailMultiRegionValidated(ResourceCheck):
    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if value(conf, "is_multi_region_trail") not in (True, "true"):
            self.problem("is_multi_region_trail is not true: activity in other regions goes unrecorded",
                         "is_multi_region_trail 不是 true：其他區域的活動不會被記錄")
        if value(conf, "enable_log_file_validation") not in (True, "true"):
            self.problem("enable_log_file_validation is not true: altered or deleted log files would not show",
                         "enable_log_file_validation 不是 true：紀錄檔遭修改或刪除時無法察覺")
        if value(conf, "enable_logging", True) in (False, "false"):
            self.problem("enable_logging is false: the trail records nothing", "enable_logging 為 false：追蹤不記錄任何事件")
        return CheckResult.FAILED if self.details else CheckResult.PASSED


check = CloudTrailMultiRegionValidated()
