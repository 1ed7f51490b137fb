from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.meta import MEDIUM, Meta, Text
from brokerguard.policies.resource_conf import effective_tags, is_core, value
from checkov.common.models.enums import CheckResult


class CoreDatabaseMultiAz(ResourceCheck):
    meta = Meta(
        name=Text("Core RDS databases are Multi-AZ", "核心 RDS 資料庫採多可用區部署"),
        description=Text(
            "CC-20000 business continuity: a core database survives the loss of one availability zone (Multi-AZ "
            "standby). A read replica follows its source and is not judged.",
            "CC-20000 業務持續運作：核心資料庫可承受單一可用區失效（多可用區備援）。讀取複本隨來源資料庫，不另行判定。"),
        fix=Text("Set multi_az = true on the core aws_db_instance.", "在核心 aws_db_instance 設定 multi_az = true。"),
        severity=MEDIUM,
        types=("aws_db_instance",),
        attributes={"tags", "tags_all", "multi_az", "replicate_source_db"},
    )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if not is_core(effective_tags(conf)) or value(conf, "replicate_source_db"):
            return CheckResult.UNKNOWN
        if value(conf, "multi_az") not in (True, "true"):
            self.problem("multi_az is not true: one availability zone failing stops the core database",
                         "multi_az 不是 true：單一可用區失效即會使核心資料庫停止")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = CoreDatabaseMultiAz()
