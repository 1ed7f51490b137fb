# Business continuity: every core system is backed up daily by AWS Backup, selected by its
# classification tag, and kept 35 days.

resource "aws_backup_vault" "core" {
  name = "core-systems"
}

resource "aws_backup_plan" "core" {
  name = "core-systems-daily"
  rule {
    rule_name         = "daily"
    target_vault_name = aws_backup_vault.core.name
    schedule          = "cron(0 18 * * ? *)"
    lifecycle {
      delete_after = 35
    }
  }
}

resource "aws_backup_selection" "core" {
  name         = "core-systems"
  plan_id      = aws_backup_plan.core.id
  iam_role_arn = "arn:aws:iam::123456789012:role/aws-backup"
  selection_tag {
    type  = "STRINGEQUALS"
    key   = "twb:class"
    value = "core"
  }
}
