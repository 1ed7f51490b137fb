# Non-compliant (firewall): the flow log group keeps firewall access logs one year only;
# the rule asks for at least three (retention_in_days >= 1096, or 0 = never expire).

resource "aws_cloudwatch_log_group" "firewall_flow" {
  name              = "/trading/network-firewall/flow"
  retention_in_days = 365
}

resource "aws_cloudwatch_log_group" "firewall_alert" {
  name              = "/trading/network-firewall/alert"
  retention_in_days = 1827
}

resource "aws_networkfirewall_logging_configuration" "trading" {
  firewall_arn = aws_networkfirewall_firewall.trading.arn
  logging_configuration {
    log_destination_config {
      log_destination = {
        logGroup = aws_cloudwatch_log_group.firewall_flow.name
      }
      log_destination_type = "CloudWatchLogs"
      log_type             = "FLOW"
    }
    log_destination_config {
      log_destination = {
        logGroup = aws_cloudwatch_log_group.firewall_alert.name
      }
      log_destination_type = "CloudWatchLogs"
      log_type             = "ALERT"
    }
  }
}
