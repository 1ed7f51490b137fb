resource "aws_networkfirewall_rule_group" "block_known_bad" {
  capacity = 100
  name     = "block-known-bad"
  type     = "STATEFUL"
  rule_group {
    rules_source {
      rules_source_list {
        generated_rules_type = "DENYLIST"
        target_types         = ["HTTP_HOST", "TLS_SNI"]
        targets              = [".example-malware.test"]
      }
    }
  }
}

resource "aws_networkfirewall_firewall_policy" "trading" {
  name = "trading"
  firewall_policy {
    stateless_default_actions          = ["aws:forward_to_sfe"]
    stateless_fragment_default_actions = ["aws:forward_to_sfe"]
    stateful_rule_group_reference {
      resource_arn = aws_networkfirewall_rule_group.block_known_bad.arn
    }
  }
}

resource "aws_networkfirewall_firewall" "trading" {
  name                = "trading"
  firewall_policy_arn = aws_networkfirewall_firewall_policy.trading.arn
  vpc_id              = aws_vpc.trading.id
  subnet_mapping {
    subnet_id = aws_subnet.firewall.id
  }
  tags = {
    "twb:firewall-admin" = "netops@example-securities.com.tw"
  }
}
