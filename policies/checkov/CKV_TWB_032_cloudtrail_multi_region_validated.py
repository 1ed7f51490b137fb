from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.meta import MEDIUM, Meta, Text
from brokerguard.policies.resource_conf import value
from checkov.common.models.enums import CheckResult


class CloudTrailMultiRegionValidated(ResourceCheck):
    meta = Meta(
        name=Text("CloudTrail trails cover every region, are logging and validate their log files",
                  "CloudTrail 追蹤涵蓋所有區域、持續記錄並驗證紀錄檔"),
        description=Text(
            "CC-17010 threat detection (event collection): a CloudTrail trail records every region, is logging, and "
            "signs its log files so that tampering shows (Checkov's CKV_AWS_67 and CKV_AWS_36 in one).",
            "CC-17010 威脅偵測（事件收集）：CloudTrail 追蹤記錄所有區域、持續記錄，並簽署紀錄檔以察覺竄改"
            "（合併 Checkov 的 CKV_AWS_67 與 CKV_AWS_36）。"),
        fix=Text("Set is_multi_region_trail = true and enable_log_file_validation = true on the aws_cloudtrail (and "
                 "leave enable_logging on).",
                 "在 aws_cloudtrail 設定 is_multi_region_trail = true 與 enable_log_file_validation = true"
                 "（並保持 enable_logging 開啟）。"),
        severity=MEDIUM,
        types=("aws_cloudtrail",),
        attributes={"is_multi_region_trail", "enable_log_file_validation", "enable_logging"},
    )

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
