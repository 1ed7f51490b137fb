from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from brokerguard.policies.firewall import LOG_DESTINATION_TYPES, log_destinations


class FirewallLogsFlowAndAlert(BaseResourceCheck):
    """CC-17010: firewall access logs are stored remotely: the logging configuration sends both FLOW and ALERT
    logs to CloudWatch Logs, S3 or Kinesis Data Firehose.
    """

    control = "firewall"
    fix = (
        'Add log_destination_config blocks with log_type FLOW and log_type ALERT, each with '
        'log_destination_type CloudWatchLogs, S3 or KinesisDataFirehose.'
    )

    def __init__(self) -> None:
        super().__init__(
            name="Network firewall logging sends FLOW and ALERT logs to a remote destination",
            id="CKV_TWB_011",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_networkfirewall_logging_configuration"],
            guideline="docs/checks.md#ckv_twb_011",
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        sent = {d.log_type.upper() for d in log_destinations(conf) if d.kind in LOG_DESTINATION_TYPES}
        missing = [t for t in ("FLOW", "ALERT") if t not in sent]
        if missing:
            self.details.append(f"no {' and no '.join(missing)} log destination")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = FirewallLogsFlowAndAlert()
