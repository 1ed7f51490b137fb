# Non-compliant (ids-ips): the network firewall is a whitelist with a domain deny list,
# but it runs no intrusion signatures (no Suricata rules, no AWS managed ThreatSignatures group).

resource "aws_networkfirewall_rule_group" "block_known_bad" {
  capacity = 100
  name     = "block-known-bad"
  type     = "STATEFUL"
  rule_group {
    stateful_rule_options {
      rule_order = "STRICT_ORDER"
    }
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
    # Whitelist: established traffic no rule passes is dropped (and alerted).
    stateful_default_actions = ["aws:drop_established", "aws:alert_established"]
    stateful_engine_options {
      rule_order = "STRICT_ORDER"
    }
    stateful_rule_group_reference {
      priority     = 10
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
