from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from brokerguard.policies.resource_conf import effective_tags, is_core, setting, value

# What AWS applies when backup_retention_period is not set.
AWS_DEFAULT_RETENTION_DAYS = 1


class CoreDatabaseBackupRetention(BaseResourceCheck):
    """CC-20000 business continuity: a core database keeps automated backups at least as many days
    as the profile's backup_retention_days (default 7). A read replica follows its source."""

    control = "bcp-drill"
    fix = (
        "Set backup_retention_period to at least the profile's backup_retention_days (default 7) on the "
        "core database."
    )

    def __init__(self) -> None:
        super().__init__(
            name="Core databases keep automated backups long enough",
            id="CKV_TWB_034",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=["aws_db_instance", "aws_rds_cluster"],
            guideline="docs/checks.md#ckv_twb_034",
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if not is_core(effective_tags(conf)) or value(conf, "replicate_source_db"):
            return CheckResult.UNKNOWN
        wanted = setting("backup_retention_days")
        raw = value(conf, "backup_retention_period")
        try:
            days = AWS_DEFAULT_RETENTION_DAYS if raw is None else int(raw)
        except (TypeError, ValueError):
            self.details.append(f"backup_retention_period {raw!r} is not a number of days")
            return CheckResult.FAILED
        if days < wanted:
            given = f"is {days}" if raw is not None else f"is not set (AWS keeps {days})"
            self.details.append(f"backup_retention_period {given} day(s), fewer than the required {wanted}")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = CoreDatabaseBackupRetention()
