"""Business continuity: every core system is backed up daily by AWS Backup, selected by its
classification tag, and kept 35 days."""

import pulumi_aws as aws


def build_resilience() -> None:
    vault = aws.backup.Vault("core", name="core-systems")
    plan = aws.backup.Plan("core", name="core-systems-daily", rules=[aws.backup.PlanRuleArgs(
        rule_name="daily", target_vault_name=vault.name, schedule="cron(0 18 * * ? *)",
        lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=35))])
    aws.backup.Selection("core", name="core-systems", plan_id=plan.id,
                         iam_role_arn="arn:aws:iam::123456789012:role/aws-backup",
                         selection_tags=[aws.backup.SelectionSelectionTagArgs(type="STRINGEQUALS", key="twb:class",
                                                                             value="core")])
