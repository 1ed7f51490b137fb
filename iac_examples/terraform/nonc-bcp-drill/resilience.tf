# NOT COMPLIANT (bcp-drill): the backup plan selects the ledger database by ARN and forgets the
# order server, so a core system has no backup to recover from.

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
  name         = "ledger"
  plan_id      = aws_backup_plan.core.id
  iam_role_arn = "arn:aws:iam::123456789012:role/aws-backup"
  resources    = [aws_db_instance.ledger.arn]
}
