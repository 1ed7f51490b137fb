# AWS Network Firewall on the internet path of the trading VPC (CC-17010): a whitelist
# (what no rule passes is dropped), intrusion prevention signatures, a named administrator.

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

# Intrusion prevention: Suricata signatures, alerts logged (firewall_logging.tf).
resource "aws_networkfirewall_rule_group" "ips" {
  capacity = 200
  name     = "trading-ips"
  type     = "STATEFUL"
  rule_group {
    stateful_rule_options {
      rule_order = "STRICT_ORDER"
    }
    rules_source {
      rules_string = <<-EOT
        drop http $EXTERNAL_NET any -> $HOME_NET any (msg:"path traversal"; http.uri; content:"../"; sid:1000001; rev:1;)
        alert http $EXTERNAL_NET any -> $HOME_NET any (msg:"order API scanned"; http.user_agent; content:"sqlmap"; sid:1000002; rev:1;)
        pass tls $HOME_NET any -> $EXTERNAL_NET 443 (msg:"exchange gateway"; tls.sni; content:".twse.com.tw"; endswith; flow:to_server; sid:1000003; rev:1;)
      EOT
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
    stateful_rule_group_reference {
      priority     = 20
      resource_arn = aws_networkfirewall_rule_group.ips.arn
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
