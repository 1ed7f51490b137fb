from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.firewall import LOG_DESTINATION_TYPES, log_destinations
from brokerguard.policies.meta import MEDIUM, Meta, Text
from checkov.common.models.enums import CheckResult


class FirewallLogsFlowAndAlert(ResourceCheck):
    meta = Meta(
        name=Text("Network firewall logging sends FLOW and ALERT logs to a remote destination",
                  "網路防火牆將 FLOW 與 ALERT 紀錄送往遠端儲存"),
        description=Text(
            "CC-17010: firewall access logs are stored remotely: the logging configuration sends both FLOW and ALERT "
            "logs to CloudWatch Logs, S3 or Kinesis Data Firehose.",
            "CC-17010：防火牆存取紀錄存放於遠端：紀錄設定將 FLOW 與 ALERT 紀錄皆送往 CloudWatch Logs、S3 或 "
            "Kinesis Data Firehose。"),
        fix=Text("Add log_destination_config blocks with log_type FLOW and log_type ALERT, each with "
                 "log_destination_type CloudWatchLogs, S3 or KinesisDataFirehose.",
                 "新增 log_type 為 FLOW 與 ALERT 的 log_destination_config 區塊，log_destination_type 為 "
                 "CloudWatchLogs、S3 或 KinesisDataFirehose。"),
        severity=MEDIUM,
        types=("aws_networkfirewall_logging_configuration",),
        attributes={"logging_configuration"},
    )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        sent = {d.log_type.upper() for d in log_destinations(conf) if d.kind in LOG_DESTINATION_TYPES}
        missing = [t for t in ("FLOW", "ALERT") if t not in sent]
        if missing:
            self.problem(f"no {' and no '.join(missing)} log destination", f"沒有 {'、'.join(missing)} 紀錄目的地")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = FirewallLogsFlowAndAlert()
