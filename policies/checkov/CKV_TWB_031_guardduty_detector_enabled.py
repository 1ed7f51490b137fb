from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.meta import HIGH, Meta, Text
from brokerguard.policies.resource_conf import value
from checkov.common.models.enums import CheckResult


class GuardDutyDetectorEnabled(ResourceCheck):
    meta = Meta(
        name=Text("GuardDuty detectors are enabled", "GuardDuty 偵測器已啟用"),
        description=Text(
            "CC-17010 threat detection: a declared GuardDuty detector is switched on (like Checkov's CKV_AWS_238; a "
            "detector left disabled detects nothing).",
            "CC-17010 威脅偵測：宣告的 GuardDuty 偵測器已啟用（同 Checkov 的 CKV_AWS_238；停用的偵測器什麼也偵測不到）。"),
        fix=Text("Set enable = true on the aws_guardduty_detector (or remove the attribute: it defaults to true).",
                 "在 aws_guardduty_detector 設定 enable = true（或移除該屬性：預設為 true）。"),
        severity=HIGH,
        types=("aws_guardduty_detector",),
        attributes={"enable"},
    )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if value(conf, "enable", True) in (False, "false"):
            self.problem("enable is false: the detector analyses nothing", "enable 為 false：偵測器不分析任何事件")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = GuardDutyDetectorEnabled()
