from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from brokerguard.policies.resource_conf import effective_tags, is_core, value


class CoreDatabaseMultiAz(BaseResourceCheck):
    """CC-20000 business continuity: a core database survives the loss of one availability zone
    (Multi-AZ standby). A read replica follows its source and is not judged."""

    control = "bcp-drill"
    fix = "Set multi_az = true on the core aws_db_instance."

    def __init__(self) -> None:
        super().__init__(
            name="Core RDS databases are Multi-AZ",
            id="CKV_TWB_033",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=["aws_db_instance"],
            guideline="docs/checks.md#ckv_twb_033",
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if not is_core(effective_tags(conf)) or value(conf, "replicate_source_db"):
            return CheckResult.UNKNOWN
        if value(conf, "multi_az") not in (True, "true"):
            self.details.append("multi_az is not true: one availability zone failing stops the core database")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = CoreDatabaseMultiAz()
