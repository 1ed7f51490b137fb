from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from brokerguard.policies.resource_conf import effective_tags, is_core, value


class CoreDatabaseNotPublic(BaseResourceCheck):
    """CC-17010: a core database answers no one on the internet."""

    control = "firewall"
    fix = (
        'Set publicly_accessible = false; let applications reach the database from private subnets '
        'only.'
    )

    def __init__(self) -> None:
        super().__init__(
            name="Core databases are not publicly accessible",
            id="CKV_TWB_003",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["aws_db_instance", "aws_rds_cluster_instance"],
            guideline="docs/checks.md#ckv_twb_003",
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if not is_core(effective_tags(conf)):
            return CheckResult.UNKNOWN  # only core systems must be isolated
        if value(conf, "publicly_accessible") in (True, "true"):
            self.details.append("publicly_accessible is true on a core database")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = CoreDatabaseNotPublic()
