# Automated response: GuardDuty and Security Hub findings go to a function that isolates the
# affected instance (a quarantine security group) and pages the security team.

resource "aws_cloudwatch_event_rule" "findings" {
  name = "security-findings"
  event_pattern = jsonencode({
    source = ["aws.guardduty", "aws.securityhub"]
  })
}

resource "aws_cloudwatch_event_target" "isolate" {
  rule = aws_cloudwatch_event_rule.findings.name
  arn  = aws_lambda_function.isolate.arn
}

resource "aws_lambda_function" "isolate" {
  function_name = "isolate-compromised-instance"
  role          = "arn:aws:iam::123456789012:role/security-response"
  runtime       = "python3.12"
  handler       = "isolate.handler"
  filename      = "isolate.zip"
  tags = {
    "twb:system" = "security-response"
    "twb:class"  = "non-core"
  }
}
