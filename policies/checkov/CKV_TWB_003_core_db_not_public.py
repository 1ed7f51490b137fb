from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.meta import CRITICAL, Meta, Text
from brokerguard.policies.resource_conf import effective_tags, is_core, value
from checkov.common.models.enums import CheckResult


class CoreDatabaseNotPublic(ResourceCheck):
    meta = Meta(
        name=Text("Core databases are not publicly accessible", "核心資料庫不可公開存取"),
        description=Text("CC-17010: a core database answers no one on the internet.",
                         "CC-17010：核心資料庫不回應網際網路上的任何連線。"),
        fix=Text("Set publicly_accessible = false; let applications reach the database from private subnets only.",
                 "設定 publicly_accessible = false；僅允許應用程式自私有子網路連線資料庫。"),
        severity=CRITICAL,
        types=("aws_db_instance", "aws_rds_cluster_instance"),
        attributes={"tags", "tags_all", "publicly_accessible"},
    )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if not is_core(effective_tags(conf)):
            return CheckResult.UNKNOWN  # only core systems must be isolated
        if value(conf, "publicly_accessible") in (True, "true"):
            self.problem("publicly_accessible is true on a core database", "核心資料庫的 publicly_accessible 為 true")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = CoreDatabaseNotPublic()
