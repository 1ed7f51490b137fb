"""Every check and stack rule, on fixtures: the one table of outcomes (check, tree, resource, expected).

Each row scans a tree (once per tree: conftest.judged caches it) and asserts the result and the line
the resource is declared at. The guard below keeps the table whole: every check and rule of the
registry has at least one passing and one failing row.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from brokerguard import registry
from brokerguard.catalog import available_rule_sets, load_catalog
from conftest import EXAMPLES, FIXTURES, declared_at, judged

TF = FIXTURES / "terraform"

CASES = [
    # check id, directory, resource, expected result (the line is where the resource block starts)
    # system-classification and isolation
    ("CKV_TWB_001", EXAMPLES / "tier1-compliant", "aws_instance.order", "passed"),
    ("CKV_TWB_001", EXAMPLES / "nonc-missing-classification", "aws_instance.quotes", "failed"),
    ("CKV_TWB_001", EXAMPLES / "nonc-missing-classification", "aws_dynamodb_table.sessions", "failed"),
    ("CKV_TWB_001", EXAMPLES / "nonc-missing-classification", "aws_s3_bucket.archive", "passed"),
    ("CKV_TWB_002", TF / "core-public-ip", "aws_instance.core_public", "failed"),
    ("CKV_TWB_002", TF / "core-public-ip", "aws_launch_template.core_lt", "failed"),
    ("CKV_TWB_002", TF / "core-public-ip", "aws_instance.core_private", "passed"),
    ("CKV_TWB_003", EXAMPLES / "nonc-public-core-db", "aws_db_instance.settlement", "failed"),
    ("CKV_TWB_003", EXAMPLES / "tier1-compliant", "aws_db_instance.ledger", "passed"),
    ("CKV_TWB_004", TF / "cloudfront", "aws_cloudfront_distribution.protected", "passed"),
    ("CKV_TWB_004", TF / "cloudfront", "aws_cloudfront_distribution.classic", "failed"),
    ("CKV_TWB_004", TF / "cloudfront", "aws_cloudfront_distribution.bare", "failed"),
    ("CKV2_TWB_001", EXAMPLES / "tier1-compliant", "aws_lb.web", "passed"),
    ("CKV2_TWB_001", EXAMPLES / "nonc-alb-without-waf", "aws_lb.web", "failed"),
    ("CKV2_TWB_001", EXAMPLES / "nonc-alb-without-waf", "aws_lb.internal", "passed"),
    ("CKV2_TWB_002", TF / "api-gateway", "aws_api_gateway_stage.protected", "passed"),
    ("CKV2_TWB_002", TF / "api-gateway", "aws_api_gateway_stage.bare", "failed"),
    ("CKV2_TWB_003", TF / "appsync", "aws_appsync_graphql_api.protected", "passed"),
    ("CKV2_TWB_003", TF / "appsync", "aws_appsync_graphql_api.bare", "failed"),
    ("TWB_STACK_001", EXAMPLES / "tier1-compliant", "aws_db_instance.ledger", "passed"),
    ("TWB_STACK_001", EXAMPLES / "nonc-public-core-db", "aws_db_instance.settlement", "failed"),
    ("TWB_STACK_001", TF / "core-public-ip", "aws_instance.core_private", "failed"),  # Elastic IP
    ("TWB_STACK_001", TF / "core-public-ip", "aws_instance.core_default_vpc", "failed"),
    ("TWB_STACK_001", TF / "module-core", "module.app.aws_instance.api", "failed"),
    ("TWB_STACK_001", TF / "named-subnet-group", "aws_db_instance.ledger", "failed"),  # group found by name
    ("TWB_STACK_002", EXAMPLES / "tier1-compliant", "aws_instance.order", "passed"),
    ("TWB_STACK_002", EXAMPLES / "nonc-public-core-db", "aws_db_instance.settlement", "failed"),
    ("TWB_STACK_003", EXAMPLES / "tier1-compliant", "aws_vpc.trading", "passed"),
    ("TWB_STACK_003", EXAMPLES / "tier4-compliant", "aws_vpc.main", "failed"),
    ("TWB_STACK_003", EXAMPLES / "nonc-alb-without-waf", "(stack)", "failed"),
    # firewall
    ("CKV_TWB_010", TF / "firewall-admin-tag", "aws_networkfirewall_firewall.tagged", "passed"),
    ("CKV_TWB_010", TF / "firewall-admin-tag", "aws_networkfirewall_firewall.by_default_tags", "passed"),
    ("CKV_TWB_010", TF / "firewall-admin-tag", "aws_networkfirewall_firewall.untagged", "failed"),
    ("CKV_TWB_010", TF / "firewall-admin-tag", "aws_networkfirewall_firewall.blank", "failed"),
    ("CKV_TWB_011", TF / "firewall-logging", "aws_networkfirewall_logging_configuration.cloudwatch", "passed"),
    ("CKV_TWB_011", TF / "firewall-logging", "aws_networkfirewall_logging_configuration.firehose", "passed"),
    ("CKV_TWB_011", TF / "firewall-logging", "aws_networkfirewall_logging_configuration.alert_only", "failed"),
    # written with dynamic blocks (terraform_dynamic): over a set variable, a list, one with no value
    ("CKV_TWB_011", TF / "dynamic-blocks", "aws_networkfirewall_logging_configuration.both", "passed"),
    ("CKV_TWB_011", TF / "dynamic-blocks", "aws_networkfirewall_logging_configuration.alert_only", "failed"),
    ("CKV_TWB_011", TF / "dynamic-blocks", "aws_networkfirewall_logging_configuration.unknown", "failed"),
    ("CKV2_TWB_010", TF / "firewall-logging", "aws_networkfirewall_firewall.s3", "passed"),
    ("CKV2_TWB_010", TF / "firewall-logging", "aws_networkfirewall_firewall.unlogged", "failed"),
    ("TWB_STACK_010", TF / "firewall-policy", "aws_networkfirewall_firewall_policy.drop_strict", "passed"),
    ("TWB_STACK_010", TF / "firewall-policy", "aws_networkfirewall_firewall_policy.stateless_drop", "passed"),
    ("TWB_STACK_010", TF / "firewall-policy", "aws_networkfirewall_firewall_policy.deny_list", "passed"),
    ("TWB_STACK_010", TF / "firewall-policy", "aws_networkfirewall_firewall_policy.suricata_drop", "passed"),
    ("TWB_STACK_010", TF / "firewall-policy", "aws_networkfirewall_firewall_policy.five_tuple", "passed"),
    ("TWB_STACK_010", TF / "firewall-policy", "aws_networkfirewall_firewall_policy.managed", "passed"),
    ("TWB_STACK_010", TF / "firewall-policy", "aws_networkfirewall_firewall_policy.alert_only", "failed"),
    ("TWB_STACK_010", TF / "firewall-policy", "aws_networkfirewall_firewall_policy.shared_groups", "failed"),
    # inspection bypassed: stateless default pass, a stateless pass-all rule, a strict-order pass-all group first
    ("TWB_STACK_010", TF / "firewall-policy", "aws_networkfirewall_firewall_policy.stateless_pass", "failed"),
    ("TWB_STACK_010", TF / "firewall-policy", "aws_networkfirewall_firewall_policy.stateless_pass_rule", "failed"),
    ("TWB_STACK_010", TF / "firewall-policy", "aws_networkfirewall_firewall_policy.strict_pass_first", "failed"),
    ("TWB_STACK_011", TF / "firewall-logging", "aws_networkfirewall_logging_configuration.s3", "passed"),
    ("TWB_STACK_011", TF / "firewall-logging", "aws_networkfirewall_logging_configuration.cloudwatch", "failed"),
    ("TWB_STACK_011", TF / "firewall-logging", "aws_networkfirewall_logging_configuration.firehose", "failed"),
    ("TWB_STACK_011", TF / "firewall-logging", "aws_networkfirewall_logging_configuration.alert_only", "failed"),
    ("TWB_STACK_011", EXAMPLES / "tier1-compliant", "aws_networkfirewall_logging_configuration.trading", "passed"),
    ("TWB_STACK_011", EXAMPLES / "nonc-firewall-log-retention", "aws_networkfirewall_logging_configuration.trading",
     "failed"),
    # waf
    ("CKV_TWB_012", TF / "waf-acl", "aws_wafv2_web_acl.complete", "passed"),
    ("CKV_TWB_012", TF / "waf-acl", "aws_wafv2_web_acl.no_sqli", "failed"),
    ("CKV_TWB_013", TF / "waf-acl", "aws_wafv2_web_acl.complete", "passed"),
    ("CKV_TWB_013", TF / "waf-acl", "aws_wafv2_web_acl.tuned", "passed"),
    ("CKV_TWB_013", TF / "waf-acl", "aws_wafv2_web_acl.counted", "failed"),
    # rules from dynamic blocks, the override action chosen by nested dynamic blocks over the outer iterator
    ("CKV_TWB_012", TF / "dynamic-blocks", "aws_wafv2_web_acl.counted", "passed"),
    ("CKV_TWB_012", TF / "dynamic-blocks", "aws_wafv2_web_acl.unknown_rules", "failed"),
    ("CKV_TWB_013", TF / "dynamic-blocks", "aws_wafv2_web_acl.counted", "failed"),
    ("CKV_TWB_013", TF / "dynamic-blocks", "aws_wafv2_web_acl.blocking", "passed"),
    ("CKV_TWB_013", TF / "dynamic-blocks", "aws_wafv2_web_acl.unknown_rules", "failed"),
    ("CKV_TWB_014", TF / "dynamic-blocks", "aws_wafv2_web_acl.counted", "passed"),
    ("CKV_TWB_014", TF / "dynamic-blocks", "aws_wafv2_web_acl.unknown_rules", "failed"),
    ("CKV_TWB_013", TF / "waf-acl", "aws_wafv2_web_acl.watch_only", "failed"),
    ("CKV_TWB_013", EXAMPLES / "nonc-waf-count-only", "aws_wafv2_web_acl.web", "failed"),
    ("CKV_TWB_014", TF / "waf-acl", "aws_wafv2_web_acl.complete", "passed"),
    ("CKV_TWB_014", TF / "waf-acl", "aws_wafv2_web_acl.counted", "passed"),  # CAPTCHA stops floods too
    ("CKV_TWB_014", TF / "waf-acl", "aws_wafv2_web_acl.watch_only", "failed"),
    ("CKV_TWB_014", TF / "waf-acl", "aws_wafv2_web_acl.bare", "failed"),
    ("CKV2_TWB_011", TF / "waf-acl", "aws_wafv2_web_acl.complete", "passed"),
    ("CKV2_TWB_011", TF / "waf-acl", "aws_wafv2_web_acl.bare", "failed"),
    ("TWB_STACK_012", TF / "waf-acl", "aws_wafv2_web_acl.complete", "passed"),  # referenced pattern set
    ("TWB_STACK_012", TF / "waf-acl", "aws_wafv2_web_acl.no_sqli", "passed"),  # inline, nested in and_statement
    ("TWB_STACK_012", TF / "waf-acl", "aws_wafv2_web_acl.counted", "passed"),  # in a referenced rule group
    ("TWB_STACK_012", TF / "waf-acl", "aws_wafv2_web_acl.watch_only", "failed"),  # ".*" detects nothing
    ("TWB_STACK_012", TF / "waf-acl", "aws_wafv2_web_acl.bare", "failed"),
    ("TWB_STACK_012", EXAMPLES / "tier1-compliant", "aws_wafv2_web_acl.web", "passed"),
    ("TWB_STACK_012", EXAMPLES / "nonc-waf-no-sensitive-data", "aws_wafv2_web_acl.web", "failed"),
    # entry points that cannot carry a WAF, and web ACLs whose rules do not take effect (issue 14)
    ("TWB_STACK_014", TF / "exposure-endpoints", "aws_elb.classic", "failed"),
    ("TWB_STACK_014", TF / "exposure-endpoints", "aws_elb.classic_internal", "passed"),
    ("TWB_STACK_015", TF / "waf-effective", "aws_wafv2_web_acl.allow_ip_set_first", "failed"),
    ("TWB_STACK_015", TF / "waf-effective", "aws_wafv2_web_acl.effective", "passed"),
    # ids-ips
    ("TWB_STACK_013", EXAMPLES / "tier1-compliant", "aws_networkfirewall_firewall.trading", "passed"),
    ("TWB_STACK_013", TF / "ids-managed-signatures", "aws_networkfirewall_firewall.managed", "passed"),
    ("TWB_STACK_013", TF / "ids-guardduty-mirror", "aws_ec2_traffic_mirror_session.order", "passed"),
    ("TWB_STACK_013", TF / "ids-alerts-unlogged", "aws_networkfirewall_firewall.managed", "failed"),
    ("TWB_STACK_013", TF / "ids-guardduty-only", "aws_guardduty_detector.main", "failed"),
    ("TWB_STACK_013", EXAMPLES / "nonc-ids-no-signatures", "aws_networkfirewall_firewall.trading", "failed"),
    # email-filtering
    ("CKV_TWB_030", TF / "mail", "aws_ses_receipt_rule.filtered", "passed"),
    ("CKV_TWB_030", TF / "mail", "aws_ses_receipt_rule.unscanned", "failed"),
    ("CKV_TWB_030", TF / "mail", "aws_ses_receipt_rule.optional_tls", "failed"),
    ("CKV2_TWB_030", TF / "mail", "aws_ses_domain_identity.good", "passed"),
    ("CKV2_TWB_030", TF / "mail", "aws_ses_domain_identity.lax", "failed"),
    ("TWB_STACK_020", TF / "mail", "aws_ses_domain_identity.good", "passed"),  # MAIL FROM SPF, zone-relative DMARC
    ("TWB_STACK_020", TF / "mail", "aws_ses_domain_identity.lax", "failed"),
    ("TWB_STACK_020", TF / "mail", "aws_sesv2_email_identity.bare", "failed"),
    ("TWB_STACK_020", EXAMPLES / "tier1-compliant", "aws_ses_domain_identity.mail", "passed"),
    # antivirus
    ("TWB_STACK_021", TF / "malware-agent", "aws_instance.tagged", "passed"),
    ("TWB_STACK_021", TF / "malware-agent", "aws_instance.listed", "passed"),
    ("TWB_STACK_021", TF / "malware-agent", "aws_autoscaling_group.web", "passed"),
    ("TWB_STACK_021", TF / "malware-agent", "aws_instance.forgotten", "failed"),
    ("TWB_STACK_021", TF / "malware-guardduty", "aws_instance.anywhere", "passed"),
    ("TWB_STACK_022", TF / "malware-agent", "aws_s3_bucket.scanned_uploads", "passed"),
    ("TWB_STACK_022", TF / "malware-agent", "aws_s3_bucket.unscanned_uploads", "failed"),
    # threat-detection
    ("CKV_TWB_031", TF / "detection-org", "aws_guardduty_detector.main", "passed"),
    ("CKV_TWB_031", TF / "detection-gaps", "aws_guardduty_detector.off", "failed"),
    ("CKV_TWB_032", TF / "detection-org", "aws_cloudtrail.org", "passed"),
    ("CKV_TWB_032", TF / "detection-gaps", "aws_cloudtrail.single_region", "failed"),
    ("TWB_STACK_023", TF / "detection-org", "aws_guardduty_detector.main", "passed"),
    ("TWB_STACK_023", TF / "detection-gaps", "(stack)", "failed"),
    ("TWB_STACK_024", TF / "detection-org", "aws_securityhub_account.main", "passed"),
    ("TWB_STACK_024", TF / "detection-gaps", "aws_securityhub_account.main", "failed"),
    ("TWB_STACK_024", TF / "mail", "(stack)", "failed"),
    ("TWB_STACK_025", TF / "mail", "(stack)", "failed"),
    ("TWB_STACK_025", TF / "detection-gaps", "aws_cloudtrail.single_region", "passed"),
    ("TWB_STACK_026", TF / "detection-org", "aws_vpc.core", "passed"),
    ("TWB_STACK_026", TF / "detection-gaps", "aws_vpc.core", "failed"),
    ("TWB_STACK_027", TF / "detection-org", "aws_cloudwatch_event_rule.hub", "passed"),  # heredoc JSON pattern
    ("TWB_STACK_027", EXAMPLES / "tier1-compliant", "aws_cloudwatch_event_rule.findings", "passed"),  # jsonencode
    ("TWB_STACK_027", TF / "detection-gaps", "aws_cloudwatch_event_rule.findings", "failed"),
    # apt-defense
    ("TWB_STACK_028", TF / "detection-org", "aws_guardduty_organization_configuration_feature.runtime", "passed"),
    ("TWB_STACK_028", TF / "malware-guardduty", "aws_guardduty_detector.main", "passed"),
    ("TWB_STACK_028", TF / "detection-gaps", "(stack)", "failed"),  # its feature sits on a disabled detector
    ("TWB_STACK_029", TF / "detection-org", "aws_detective_graph.main", "passed"),
    ("TWB_STACK_029", TF / "detection-gaps", "(stack)", "failed"),
    ("TWB_STACK_030", TF / "detection-org", "aws_cloudwatch_event_target.isolate", "passed"),  # SSM Automation
    ("TWB_STACK_030", EXAMPLES / "tier1-compliant", "aws_cloudwatch_event_target.isolate", "passed"),  # Lambda
    ("TWB_STACK_030", TF / "detection-gaps", "(stack)", "failed"),
    # bcp-drill
    ("CKV_TWB_033", TF / "resilience", "aws_db_instance.resilient", "passed"),
    ("CKV_TWB_033", TF / "resilience", "aws_db_instance.fragile", "failed"),
    ("CKV_TWB_034", TF / "resilience", "aws_db_instance.resilient", "passed"),
    ("CKV_TWB_034", TF / "resilience", "aws_db_instance.fragile", "failed"),
    ("CKV_TWB_034", TF / "resilience", "aws_rds_cluster.settlement", "failed"),
    ("CKV_TWB_035", TF / "resilience", "aws_autoscaling_group.spread", "passed"),
    ("CKV_TWB_035", TF / "resilience", "aws_autoscaling_group.one_subnet", "failed"),
    ("CKV_TWB_036", TF / "resilience", "aws_db_instance.resilient", "passed"),  # from the provider's default_tags
    ("CKV_TWB_036", TF / "resilience", "aws_instance.no_rto", "failed"),
    ("CKV_TWB_036", TF / "resilience", "aws_instance.vague_rto", "failed"),
    ("TWB_STACK_031", TF / "resilience", "aws_db_instance.resilient", "passed"),  # by ARN
    ("TWB_STACK_031", TF / "resilience", "aws_instance.vague_rto", "passed"),  # by condition on a tag
    ("TWB_STACK_031", EXAMPLES / "tier1-compliant", "aws_instance.order", "passed"),  # by selection_tag
    ("TWB_STACK_031", TF / "resilience", "aws_db_instance.fragile", "failed"),
    ("TWB_STACK_031", TF / "resilience", "aws_instance.no_rto", "failed"),
    # 2023-2024 guidelines: DDoS, trading-login MFA, customer-data location and encryption
    ("TWB_STACK_040", EXAMPLES / "guidelines-2024-compliant", "aws_lb.web", "passed"),
    ("TWB_STACK_040", EXAMPLES / "guidelines-2024-compliant", "aws_route53_zone.public", "passed"),
    ("TWB_STACK_040", EXAMPLES / "nonc-2024-ddos", "aws_lb.web", "failed"),  # evidence_missing, never a pass
    ("TWB_STACK_041", EXAMPLES / "guidelines-2024-compliant", "aws_cognito_user_pool.customers", "passed"),
    ("TWB_STACK_041", EXAMPLES / "nonc-2024-mfa", "aws_cognito_user_pool.customers", "failed"),
    ("TWB_STACK_042", EXAMPLES / "guidelines-2024-compliant", "aws_db_instance.ledger", "passed"),
    ("TWB_STACK_042", EXAMPLES / "nonc-2024-data-location", "aws_db_instance.ledger", "failed"),
    ("TWB_STACK_042", EXAMPLES / "tier1-compliant", "aws_s3_bucket.reports", "failed"),  # unclassified
    ("TWB_STACK_043", EXAMPLES / "guidelines-2024-compliant", "aws_db_instance.ledger", "passed"),
    ("TWB_STACK_043", EXAMPLES / "nonc-2024-kms", "aws_db_instance.ledger", "failed"),
]


@pytest.mark.parametrize(("check_id", "path", "resource", "expected"), CASES,
                         ids=[f"{c[0]}-{c[1].name}-{c[2]}" for c in CASES])
def test_check_outcome(check_id: str, path: Path, resource: str, expected: str) -> None:
    found = judged(path).get((check_id, resource))
    assert found is not None, f"{check_id} did not judge {resource} in {path.name}: {sorted(judged(path))}"
    assert (found[0], found[1]) == (expected, declared_at(path, resource)), found


def test_every_check_and_rule_has_a_passing_and_a_failing_case() -> None:
    catalog = load_catalog(tuple(available_rule_sets()))  # a rule may serve a control of any rule set
    for policy in registry.load():
        assert policy.id in catalog.check_ids | catalog.stack_rule_ids, f"{policy.source} is in no control"
        outcomes = {c[3] for c in CASES if c[0] == policy.id}
        assert outcomes == {"passed", "failed"}, f"{policy.id} needs a passing and a failing row in CASES"
