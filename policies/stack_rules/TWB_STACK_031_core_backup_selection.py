from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies.meta import Text
from brokerguard.policies.resource_conf import is_core, tag_keys
from brokerguard.policies.stack_rule import StackRule, blocks, names

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
