from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.meta import MEDIUM, Meta, Text
from brokerguard.policies.resource_conf import effective_tags, is_core, setting, value
from checkov.common.models.enums import CheckResult

# What AWS applies when backup_retention_period is not set.
AWS_DEFAULT_RETENTION_DAYS = 1


class CoreDatabaseBackupRetention(ResourceCheck):
    meta = Meta(
        name=Text("Core databases keep automated backups long enough", "核心資料庫的自動備份保留足夠天數"),
        description=Text(
            "CC-20000 business continuity: a core database keeps automated backups at least as many days as the "
            "profile's backup_retention_days (default 7). A read replica follows its source.",
            "CC-20000 業務持續運作：核心資料庫的自動備份至少保留設定檔 backup_retention_days 所定天數（預設 7 天）。"
            "讀取複本隨來源資料庫。"),
        fix=Text("Set backup_retention_period to at least the profile's backup_retention_days (default 7) on the core "
                 "database.",
                 "將核心資料庫的 backup_retention_period 設為至少設定檔的 backup_retention_days（預設 7）。"),
        severity=MEDIUM,
        types=("aws_db_instance", "aws_rds_cluster"),
        attributes={"tags", "tags_all", "backup_retention_period", "replicate_source_db"},
    )

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
