from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from brokerguard.policies.resource_conf import value


class GuardDutyDetectorEnabled(BaseResourceCheck):
    """CC-17010 threat detection: a declared GuardDuty detector is switched on (like Checkov's
    CKV_AWS_238; a detector left disabled detects nothing)."""

    control = "threat-detection"
    fix = "Set enable = true on the aws_guardduty_detector (or remove the attribute: it defaults to true)."

    def __init__(self) -> None:
        super().__init__(
            name="GuardDuty detectors are enabled",
            id="CKV_TWB_031",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_guardduty_detector"],
            guideline="docs/checks.md#ckv_twb_031",
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if value(conf, "enable", True) in (False, "false"):
            self.details.append("enable is false: the detector analyses nothing")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = GuardDutyDetectorEnabled()
