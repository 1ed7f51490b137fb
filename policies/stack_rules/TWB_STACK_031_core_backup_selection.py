from brokerguard.policies.meta import MEDIUM, Meta, Text
from brokerguard.policies.resource_conf import is_core, tag_keys
from brokerguard.policies.stack_rule import StackRule, blocks, names

from brokerguard.model import Finding, Resource, Stack

# Core resources whose data AWS Backup protects.
BACKUP_TYPES = ("aws_instance", "aws_db_instance", "aws_rds_cluster", "aws_dynamodb_table", "aws_s3_bucket")


def _by_tag(selection: Resource, resource: Resource) -> bool:
    """A selection_tag or condition (string_equals) that the resource's tags satisfy."""
    pairs = [(str(t.get("key")), str(t.get("value"))) for t in blocks(selection.values, "selection_tag")
             if str(t.get("type", "STRINGEQUALS")).upper() == "STRINGEQUALS"]
    for condition in blocks(selection.values, "condition"):
        pairs += [(str(c.get("key")).removeprefix("aws:ResourceTag/"), str(c.get("value")))
                  for c in blocks(condition, "string_equals")]
    return any(resource.tags.get(k) == v for k, v in pairs)


class CoreBackupSelection(StackRule):
    meta = Meta(
        name=Text("Core systems are selected by an AWS Backup plan", "核心系統由 AWS Backup 計畫選取"),
        description=Text(
            "CC-20000 business continuity: every core data-holding resource (EC2 instance, RDS database other than a "
            "read replica, Aurora cluster, DynamoDB table, S3 bucket) is selected by an AWS Backup plan's "
            "aws_backup_selection, by ARN or by tag (e.g. the classification tag twb:class = core). Not attestable: "
            "the drill record bcp-drill also needs says nothing of backups; a backup policy of the organisation is "
            "waived with its approver instead.",
            "CC-20000 營運持續：每個存放資料的核心資源（EC2 執行個體、唯讀複本以外的 RDS 資料庫、Aurora 叢集、"
            "DynamoDB 資料表、S3 儲存貯體）皆以 ARN 或標籤（例如分級標籤 twb:class = core）由 AWS Backup 計畫的 "
            "aws_backup_selection 選取。不可以佐證資料替代：bcp-drill 另需的演練紀錄未提及備份；組織的備份政策改以"
            "豁免並註明核准者處理。"),
        fix=Text("Add an aws_backup_selection to an aws_backup_plan that selects the resource by ARN, or by "
                 'selection_tag { type = "STRINGEQUALS", key = "twb:class", value = "core" }.',
                 "在 aws_backup_plan 新增以 ARN 選取該資源的 aws_backup_selection，或以 "
                 'selection_tag { type = "STRINGEQUALS", key = "twb:class", value = "core" } 選取。'),
        severity=MEDIUM,
        types=BACKUP_TYPES + ("aws_backup_selection",),
        attributes={"tags", "tags_all", "replicate_source_db"},
    )

    def evaluate(self, stack: Stack) -> list[Finding]:
        selections = stack.of_type("aws_backup_selection")
        findings = []
        for core in stack.of_type(*BACKUP_TYPES):
            if not is_core(core.tags) or core.values.get("replicate_source_db"):
                continue  # a read replica is restored from its source's backups
            chosen = next((s for s in selections if names(s, "resources", core, "arn") or _by_tag(s, core)), None)
            findings.append(self.finding(core, chosen is not None, Text(
                f"selected by {chosen.address}", f"由 {chosen.address} 選取") if chosen else Text(
                f"no aws_backup_selection selects it by ARN or by tag (e.g. {tag_keys()['class']} = core)",
                f"沒有任何 aws_backup_selection 以 ARN 或標籤（例如 {tag_keys()['class']} = core）選取它")))
        return findings


rule = CoreBackupSelection()
