from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from brokerguard.policies.resource_conf import value


class CloudTrailMultiRegionValidated(BaseResourceCheck):
    """CC-17010 threat detection (event collection): a CloudTrail trail records every region, is
    logging, and signs its log files so that tampering shows (Checkov's CKV_AWS_67 and CKV_AWS_36
    in one)."""

    control = "threat-detection"
    fix = (
        "Set is_multi_region_trail = true and enable_log_file_validation = true on the aws_cloudtrail "
        "(and leave enable_logging on)."
    )

    def __init__(self) -> None:
        super().__init__(
            name="CloudTrail trails cover every region, are logging and validate their log files",
            id="CKV_TWB_032",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_cloudtrail"],
            guideline="docs/checks.md#ckv_twb_032",
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if value(conf, "is_multi_region_trail") not in (True, "true"):
            self.details.append("is_multi_region_trail is not true: activity in other regions goes unrecorded")
        if value(conf, "enable_log_file_validation") not in (True, "true"):
            self.details.append("enable_log_file_validation is not true: altered or deleted log files would not show")
        if value(conf, "enable_logging", True) in (False, "false"):
            self.details.append("enable_logging is false: the trail records nothing")
        return CheckResult.FAILED if self.details else CheckResult.PASSED


check = CloudTrailMultiRegionValidated()
