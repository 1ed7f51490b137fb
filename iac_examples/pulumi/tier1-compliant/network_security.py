"""The network security of the tier-1 stack (twin of firewall.tf, firewall_logging.tf and waf.tf):
AWS Network Firewall as a whitelist with IPS signatures and a named administrator, its flow and alert
logs kept five years, and the WAFv2 web ACL of the online order system."""

from types import SimpleNamespace

import pulumi_aws as aws

nfw = aws.networkfirewall
waf = aws.wafv2

IPS_RULES = "\n".join([
    'drop http $EXTERNAL_NET any -> $HOME_NET any (msg:"path traversal"; http.uri; content:"../"; sid:1000001; rev:1;)',
    'alert http $EXTERNAL_NET any -> $HOME_NET any (msg:"order API scanned"; http.user_agent; content:"sqlmap"; '
    'sid:1000002; rev:1;)',
    'pass tls $HOME_NET any -> $EXTERNAL_NET 443 (msg:"exchange gateway"; tls.sni; content:".twse.com.tw"; endswith; '
    'flow:to_server; sid:1000003; rev:1;)',
])
STRICT = nfw.RuleGroupRuleGroupStatefulRuleOptionsArgs(rule_order="STRICT_ORDER")


def build_firewall(net: SimpleNamespace) -> nfw.Firewall:
    block_known_bad = nfw.RuleGroup(
        "block_known_bad", capacity=100, name="block-known-bad", type="STATEFUL",
        rule_group=nfw.RuleGroupRuleGroupArgs(
            stateful_rule_options=STRICT,
            rules_source=nfw.RuleGroupRuleGroupRulesSourceArgs(
                rules_source_list=nfw.RuleGroupRuleGroupRulesSourceRulesSourceListArgs(
                    generated_rules_type="DENYLIST", target_types=["HTTP_HOST", "TLS_SNI"],
                    targets=[".example-malware.test"]))))
    ips = nfw.RuleGroup(
        "ips", capacity=200, name="trading-ips", type="STATEFUL",
        rule_group=nfw.RuleGroupRuleGroupArgs(
            stateful_rule_options=STRICT, rules_source=nfw.RuleGroupRuleGroupRulesSourceArgs(rules_string=IPS_RULES)))
    policy = nfw.FirewallPolicy(
        "trading", name="trading",
        firewall_policy=nfw.FirewallPolicyFirewallPolicyArgs(
            stateless_default_actions=["aws:forward_to_sfe"], stateless_fragment_default_actions=["aws:forward_to_sfe"],
            # Whitelist: established traffic no rule passes is dropped (and alerted).
            stateful_default_actions=["aws:drop_established", "aws:alert_established"],
            stateful_engine_options=nfw.FirewallPolicyFirewallPolicyStatefulEngineOptionsArgs(
                rule_order="STRICT_ORDER"),
            stateful_rule_group_references=[
                nfw.FirewallPolicyFirewallPolicyStatefulRuleGroupReferenceArgs(priority=priority, resource_arn=group.arn)
                for priority, group in ((10, block_known_bad), (20, ips))
            ]))
    firewall = nfw.Firewall(
        "trading", name="trading", firewall_policy_arn=policy.arn, vpc_id=net.vpc.id,
        subnet_mappings=[nfw.FirewallSubnetMappingArgs(subnet_id=net.firewall.id)],
        tags={"twb:firewall-admin": "netops@example-securities.com.tw"})
    aws.ec2.Route("private_egress", route_table_id=net.private_routes.id, destination_cidr_block="0.0.0.0/0",
                  vpc_endpoint_id=firewall.firewall_statuses.apply(
                      lambda statuses: statuses[0].sync_states[0].attachments[0].endpoint_id))

    flow = aws.cloudwatch.LogGroup("firewall_flow", name="/trading/network-firewall/flow", retention_in_days=1827)
    alert = aws.cloudwatch.LogGroup("firewall_alert", name="/trading/network-firewall/alert", retention_in_days=1827)
    nfw.LoggingConfiguration(
        "trading", firewall_arn=firewall.arn,
        logging_configuration=nfw.LoggingConfigurationLoggingConfigurationArgs(log_destination_configs=[
            nfw.LoggingConfigurationLoggingConfigurationLogDestinationConfigArgs(
                log_destination={"logGroup": group.name}, log_destination_type="CloudWatchLogs", log_type=log_type)
            for group, log_type in ((flow, "FLOW"), (alert, "ALERT"))
        ]))
    return firewall


def _visibility(name: str) -> waf.WebAclRuleVisibilityConfigArgs:
    return waf.WebAclRuleVisibilityConfigArgs(cloudwatch_metrics_enabled=True, metric_name=name,
                                              sampled_requests_enabled=True)


def _managed(name: str, group: str, priority: int) -> waf.WebAclRuleArgs:
    return waf.WebAclRuleArgs(
        name=name, priority=priority,
        override_action=waf.WebAclRuleOverrideActionArgs(none=waf.WebAclRuleOverrideActionNoneArgs()),
        statement=waf.WebAclRuleStatementArgs(
            managed_rule_group_statement=waf.WebAclRuleStatementManagedRuleGroupStatementArgs(
                name=group, vendor_name="AWS")),
        visibility_config=_visibility(name))


def build_waf(load_balancer: aws.lb.LoadBalancer) -> waf.WebAcl:
    sensitive = waf.RegexPatternSet("sensitive_data", name="sensitive-data", scope="REGIONAL", regular_expressions=[
        waf.RegexPatternSetRegularExpressionArgs(regex_string=r"\b[A-Z][12][0-9]{8}\b"),  # national ID
        waf.RegexPatternSetRegularExpressionArgs(regex_string=r"\b(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14})\b"),
    ])
    acl = waf.WebAcl(
        "web", name="online-order", scope="REGIONAL",
        default_action=waf.WebAclDefaultActionArgs(allow=waf.WebAclDefaultActionAllowArgs()),
        rules=[
            _managed("aws-common", "AWSManagedRulesCommonRuleSet", 1),
            _managed("aws-sqli", "AWSManagedRulesSQLiRuleSet", 2),
            _managed("aws-known-bad-inputs", "AWSManagedRulesKnownBadInputsRuleSet", 3),
            waf.WebAclRuleArgs(
                name="rate-limit", priority=4,
                action=waf.WebAclRuleActionArgs(block=waf.WebAclRuleActionBlockArgs()),
                statement=waf.WebAclRuleStatementArgs(
                    rate_based_statement=waf.WebAclRuleStatementRateBasedStatementArgs(
                        limit=2000, aggregate_key_type="IP")),
                visibility_config=_visibility("rate-limit")),
            waf.WebAclRuleArgs(
                name="sensitive-data", priority=5,
                action=waf.WebAclRuleActionArgs(count=waf.WebAclRuleActionCountArgs()),
                statement=waf.WebAclRuleStatementArgs(
                    regex_pattern_set_reference_statement=waf.WebAclRuleStatementRegexPatternSetReferenceStatementArgs(
                        arn=sensitive.arn,
                        field_to_match=waf.WebAclRuleStatementRegexPatternSetReferenceStatementFieldToMatchArgs(
                            body=waf.WebAclRuleStatementRegexPatternSetReferenceStatementFieldToMatchBodyArgs()),
                        text_transformations=[
                            waf.WebAclRuleStatementRegexPatternSetReferenceStatementTextTransformationArgs(
                                priority=0, type="NONE")])),
                visibility_config=_visibility("sensitive-data")),
        ],
        visibility_config=waf.WebAclVisibilityConfigArgs(
            cloudwatch_metrics_enabled=True, metric_name="online-order", sampled_requests_enabled=True),
    )
    waf.WebAclAssociation("web", resource_arn=load_balancer.arn, web_acl_arn=acl.arn)
    # WAF log groups must be named aws-waf-logs-*.
    logs = aws.cloudwatch.LogGroup("waf", name="aws-waf-logs-online-order", retention_in_days=1827)
    waf.WebAclLoggingConfiguration("web", resource_arn=acl.arn, log_destination_configs=[logs.arn])
    return acl
