from checkov.common.models.enums import CheckResult

from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.resource_conf import effective_tags, is_core, setting, value

# What AWS applies when backup_retention_period is not set.
AWS_DEFAULT_RETENTION_DAYS = 1


class CoreDatabaseBackupRetention(ResourceCheck):
    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if not is_core(effective_tags(conf)) or value(conf, "replicate_source_db"):
            return CheckResult.UNKNOWN
        wanted = setting("backup_retention_days")
        raw = value(conf, "backup_retention_period")
        try:
            days = AWS_DEFAULT_RETENTION_DAYS if raw is None else int(raw)
        except (TypeError, ValueError):
            self.problem(f"backup_retention_period {raw!r} is not a number of days",
                         f"backup_retention_period {raw!r} 不是天數")
            return CheckResult.FAILED
        if days < wanted:
            if raw is None:
                self.problem(f"backup_retention_period is not set (AWS keeps {days}) day(s), fewer than the required "
                             f"{wanted}", f"未設定 backup_retention_period（AWS 保留 {days} 天），少於要求的 {wanted} 天")
            else:
                self.problem(f"backup_retention_period is {days} day(s), fewer than the required {wanted}",
                             f"backup_retention_period 為 {days} 天，少於要求的 {wanted} 天")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = CoreDatabaseBackupRetention()
