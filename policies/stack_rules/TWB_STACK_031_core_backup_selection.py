from brokerguard.model import Finding, Resource, Stack
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
    """CC-20000 business continuity: every core data-holding resource (EC2 instance, RDS database
    other than a read replica, Aurora cluster, DynamoDB table, S3 bucket) is selected by an AWS
    Backup plan's aws_backup_selection, by ARN or by tag (e.g. the classification tag
    twb:class = core). Not attestable: the drill record bcp-drill also needs says nothing of
    backups; a backup policy of the organisation is waived with its approver instead."""

    id = "TWB_STACK_031"
    name = "Core systems are selected by an AWS Backup plan"
    control = "bcp-drill"
    fix = (
        'Add an aws_backup_selection to an aws_backup_plan that selects the resource by ARN, or by '
        'selection_tag { type = "STRINGEQUALS", key = "twb:class", value = "core" }.'
    )
    guideline = "docs/checks.md#twb_stack_031"
    reads = BACKUP_TYPES + ("aws_backup_selection",)

    def evaluate(self, stack: Stack) -> list[Finding]:
        selections = stack.of_type("aws_backup_selection")
        findings = []
        for core in stack.of_type(*BACKUP_TYPES):
            if not is_core(core.tags) or core.values.get("replicate_source_db"):
                continue  # a read replica is restored from its source's backups
            chosen = next((s for s in selections if names(s, "resources", core, "arn") or _by_tag(s, core)), None)
            findings.append(self.finding(core, chosen is not None, f"selected by {chosen.address}" if chosen else
                                         f"no aws_backup_selection selects it by ARN or by tag "
                                         f"(e.g. {tag_keys()['class']} = core)"))
        return findings


rule = CoreBackupSelection()
