# Threat detection: GuardDuty with runtime monitoring, Security Hub with a standard, a multi-region
# CloudTrail trail with log file validation, and flow logs of the trading VPC. Logs go to the
# group's log archive account.

resource "aws_guardduty_detector" "main" {
  enable = true
}

resource "aws_guardduty_detector_feature" "runtime" {
  detector_id = aws_guardduty_detector.main.id
  name        = "RUNTIME_MONITORING"
  status      = "ENABLED"
  additional_configuration {
    name   = "EC2_AGENT_MANAGEMENT"
    status = "ENABLED"
  }
}

resource "aws_securityhub_account" "main" {}

resource "aws_securityhub_standards_subscription" "foundational" {
  standards_arn = "arn:aws:securityhub:ap-northeast-1::standards/aws-foundational-security-best-practices/v/1.0.0"
  depends_on    = [aws_securityhub_account.main]
}

resource "aws_cloudtrail" "main" {
  name                       = "organization-activity"
  s3_bucket_name             = "example-securities-log-archive"
  is_multi_region_trail      = true
  enable_log_file_validation = true
}

resource "aws_flow_log" "trading" {
  vpc_id               = aws_vpc.trading.id
  traffic_type         = "ALL"
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::example-securities-log-archive/flow-logs/"
}
