"""Pulumi -> Terraform translation for the types the WAF, firewall, logging and backup checks read.

Expected shapes are those of `terraform show -json` for the Terraform AWS provider resources
(registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/wafv2_web_acl,
networkfirewall_logging_configuration, networkfirewall_firewall_policy): every nested block is a list
of objects, repeated blocks take the singular block name, maps keep their keys as written.
"""

from __future__ import annotations

import pytest

from brokerguard.providers.pulumi.model import PulumiResource, PulumiStack
from brokerguard.providers.pulumi.translate import mapping, translate

pytest.importorskip("pulumi_aws")


def _res(token: str, name: str, inputs: dict, **kw) -> PulumiResource:
    return PulumiResource(urn=f"urn:pulumi:dev::t::{token}::{name}", type=token, name=name, inputs=inputs, **kw)


def _vis(metric: str) -> dict:
    return {"cloudwatchMetricsEnabled": True, "metricName": metric, "sampledRequestsEnabled": True}


def _tf_vis(metric: str) -> list[dict]:
    return [{"cloudwatch_metrics_enabled": True, "metric_name": metric, "sampled_requests_enabled": True}]


WEB_ACL = {
    "scope": "REGIONAL",
    "defaultAction": {"allow": {}},
    "visibilityConfig": _vis("acl"),
    "rules": [
        {"name": "common", "priority": 1, "overrideAction": {"none": {}},
         "statement": {"managedRuleGroupStatement": {
             "name": "AWSManagedRulesCommonRuleSet", "vendorName": "AWS",
             "ruleActionOverrides": [{"name": "SizeRestrictions_BODY", "actionToUse": {"count": {}}}]}},
         "visibilityConfig": _vis("common")},
        {"name": "bots", "priority": 2, "overrideAction": {"count": {}},
         "statement": {"managedRuleGroupStatement": {
             "name": "AWSManagedRulesBotControlRuleSet", "vendorName": "AWS",
             "managedRuleGroupConfigs": [{"awsManagedRulesBotControlRuleSet": {"inspectionLevel": "TARGETED"}}]}},
         "visibilityConfig": _vis("bots")},
        {"name": "login-rate", "priority": 3, "action": {"block": {}},
         "statement": {"rateBasedStatement": {
             "limit": 2000, "aggregateKeyType": "IP",
             "scopeDownStatement": {"byteMatchStatement": {
                 "searchString": "/login", "positionalConstraint": "STARTS_WITH",
                 "fieldToMatch": {"uriPath": {}},
                 "textTransformations": [{"priority": 0, "type": "NONE"}]}}}},
         "visibilityConfig": _vis("rate")},
        {"name": "bad-paths", "priority": 4, "action": {"block": {}},
         "statement": {"regexPatternSetReferenceStatement": {
             "arn": "arn:aws:wafv2:ap-northeast-1:1:regional/regexpatternset/bad/1",
             "fieldToMatch": {"singleHeader": {"name": "user-agent"}},
             "textTransformations": [{"priority": 0, "type": "LOWERCASE"}]}},
         "visibilityConfig": _vis("regex")},
    ],
}

LOGGING = {
    "firewallArn": "arn:aws:network-firewall:ap-northeast-1:1:firewall/fw",
    "loggingConfiguration": {"logDestinationConfigs": [
        {"logType": "FLOW", "logDestinationType": "S3", "logDestination": {"bucketName": "fw-logs", "prefix": "flow"}},
        {"logType": "ALERT", "logDestinationType": "CloudWatchLogs", "logDestination": {"logGroup": "/fw/alert"}},
    ]},
}

POLICY = {
    "name": "core",
    "firewallPolicy": {
        "statelessDefaultActions": ["aws:forward_to_sfe"],
        "statelessFragmentDefaultActions": ["aws:forward_to_sfe"],
        "statefulDefaultActions": ["aws:drop_strict", "aws:alert_strict"],
        "statefulEngineOptions": {"ruleOrder": "STRICT_ORDER"},
        "statefulRuleGroupReferences": [
            {"resourceArn": "arn:aws:network-firewall:ap-northeast-1:1:stateful-rulegroup/threats", "priority": 1,
             "override": {"action": "DROP_TO_ALERT"}},
        ],
    },
}


def _translated() -> dict[str, dict]:
    stack = PulumiStack(origin="x", kind="export", resources=[
        _res("aws:wafv2/webAcl:WebAcl", "edge", WEB_ACL),
        _res("aws:networkfirewall/loggingConfiguration:LoggingConfiguration", "fwlog", LOGGING),
        _res("aws:networkfirewall/firewallPolicy:FirewallPolicy", "core", POLICY),
    ])
    t = translate(stack)
    assert t.unmapped == []
    return {r.address: r.values for r in t.resources}


def test_web_acl_managed_group_override_and_rate_rule_have_terraform_shape() -> None:
    acl = _translated()["aws_wafv2_web_acl.edge"]
    assert acl["default_action"] == [{"allow": [{}]}]
    assert acl["visibility_config"] == _tf_vis("acl")
    common, bots, rate, regex = acl["rule"]
    assert common == {
        "name": "common", "priority": 1, "override_action": [{"none": [{}]}],
        "statement": [{"managed_rule_group_statement": [{
            "name": "AWSManagedRulesCommonRuleSet", "vendor_name": "AWS",
            "rule_action_override": [{"name": "SizeRestrictions_BODY", "action_to_use": [{"count": [{}]}]}]}]}],
        "visibility_config": _tf_vis("common"),
    }
    assert bots["override_action"] == [{"count": [{}]}]
    # Terraform's block is plural here (bridge: managedRuleGroupConfigs -> managed_rule_group_configs)
    assert bots["statement"][0]["managed_rule_group_statement"][0]["managed_rule_group_configs"] == [
        {"aws_managed_rules_bot_control_rule_set": [{"inspection_level": "TARGETED"}]}]
    # four levels below the rule (statement > rate_based > scope_down > byte_match > field_to_match)
    assert rate["action"] == [{"block": [{}]}]
    assert rate["statement"] == [{"rate_based_statement": [{
        "limit": 2000, "aggregate_key_type": "IP",
        "scope_down_statement": [{"byte_match_statement": [{
            "search_string": "/login", "positional_constraint": "STARTS_WITH",
            "field_to_match": [{"uri_path": [{}]}],
            "text_transformation": [{"priority": 0, "type": "NONE"}]}]}]}]}]
    assert regex["statement"] == [{"regex_pattern_set_reference_statement": [{
        "arn": "arn:aws:wafv2:ap-northeast-1:1:regional/regexpatternset/bad/1",
        "field_to_match": [{"single_header": [{"name": "user-agent"}]}],
        "text_transformation": [{"priority": 0, "type": "LOWERCASE"}]}]}]


def test_network_firewall_logging_destinations_keep_their_map_keys() -> None:
    log = _translated()["aws_networkfirewall_logging_configuration.fwlog"]
    assert log == {
        "firewall_arn": "arn:aws:network-firewall:ap-northeast-1:1:firewall/fw",
        "logging_configuration": [{"log_destination_config": [
            # log_destination is a map in Terraform: its keys are the API's, not snake_cased
            {"log_type": "FLOW", "log_destination_type": "S3", "log_destination": {"bucketName": "fw-logs", "prefix": "flow"}},
            {"log_type": "ALERT", "log_destination_type": "CloudWatchLogs", "log_destination": {"logGroup": "/fw/alert"}},
        ]}],
    }


def test_firewall_policy_stateful_settings_have_terraform_shape() -> None:
    pol = _translated()["aws_networkfirewall_firewall_policy.core"]
    assert pol == {"name": "core", "firewall_policy": [{
        "stateless_default_actions": ["aws:forward_to_sfe"],
        "stateless_fragment_default_actions": ["aws:forward_to_sfe"],
        "stateful_default_actions": ["aws:drop_strict", "aws:alert_strict"],
        "stateful_engine_options": [{"rule_order": "STRICT_ORDER"}],
        "stateful_rule_group_reference": [{
            "resource_arn": "arn:aws:network-firewall:ap-northeast-1:1:stateful-rulegroup/threats", "priority": 1,
            "override": [{"action": "DROP_TO_ALERT"}]}],
    }]}


@pytest.mark.parametrize("token,tf_type", [
    ("aws:ec2/flowLog:FlowLog", "aws_flow_log"),
    ("aws:cloudtrail/trail:Trail", "aws_cloudtrail"),
    ("aws:rds/instance:Instance", "aws_db_instance"),
    ("aws:s3/bucketVersioning:BucketVersioning", "aws_s3_bucket_versioning"),  # v7 token, alias of ...V2
    ("aws:s3/bucketVersioningV2:BucketVersioningV2", "aws_s3_bucket_versioning"),
    ("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws_s3_bucket_lifecycle_configuration"),
    ("aws:guardduty/detectorFeature:DetectorFeature", "aws_guardduty_detector_feature"),
])
def test_tokens_whose_terraform_type_is_not_the_naive_name(token: str, tf_type: str) -> None:
    assert mapping()["resources"][token]["terraform_type"] == tf_type


def test_nested_blocks_the_checks_read_are_singular_lists() -> None:
    stack = PulumiStack(origin="x", kind="export", resources=[
        _res("aws:backup/selection:Selection", "sel", {
            "planId": "p-1", "iamRoleArn": "arn:aws:iam::1:role/backup", "resources": ["arn:aws:rds:x:1:db:core"],
            "selectionTags": [{"type": "STRINGEQUALS", "key": "twb:backup", "value": "daily"}]}),
        _res("aws:guardduty/detectorFeature:DetectorFeature", "rt", {
            "detectorId": "d-1", "name": "RUNTIME_MONITORING", "status": "ENABLED",
            "additionalConfigurations": [{"name": "EKS_ADDON_MANAGEMENT", "status": "ENABLED"}]}),
        _res("aws:cloudwatch/eventTarget:EventTarget", "to-sns", {"rule": "gd", "arn": "arn:aws:sns:x:1:alerts"}),
    ])
    by = {r.address: r.values for r in translate(stack).resources}
    assert by["aws_backup_selection.sel"]["selection_tag"] == [{"type": "STRINGEQUALS", "key": "twb:backup", "value": "daily"}]
    assert by["aws_backup_selection.sel"]["resources"] == ["arn:aws:rds:x:1:db:core"]
    assert by["aws_guardduty_detector_feature.rt"]["additional_configuration"] == [
        {"name": "EKS_ADDON_MANAGEMENT", "status": "ENABLED"}]
    assert by["aws_cloudwatch_event_target.to-sns"] == {"rule": "gd", "arn": "arn:aws:sns:x:1:alerts"}


def test_renames_the_nested_type_rule_would_get_wrong_come_from_the_bridge() -> None:
    # Terraform keeps these block names plural (string_equals, ip_sets, targets) and makes a list of strings
    # singular (definition): only the transcribed renamedProperties entries know it.
    stack = PulumiStack(origin="x", kind="export", resources=[
        _res("aws:backup/selection:Selection", "by-tag", {
            "conditions": [{"stringEquals": [{"key": "aws:ResourceTag/twb:backup", "value": "daily"}]}]}),
        _res("aws:networkfirewall/ruleGroup:RuleGroup", "threats", {
            "capacity": 100, "type": "STATEFUL",
            "ruleGroup": {"ruleVariables": {"ipSets": [{"key": "HOME_NET", "ipSet": {"definitions": ["10.0.0.0/16"]}}]},
                          "rulesSource": {"rulesString": "drop tcp any any -> any 23 (sid:1;)"}}}),
        _res("aws:ssm/association:Association", "agent", {
            "name": "AWS-ConfigureAWSPackage", "targets": [{"key": "tag:twb:class", "values": ["core"]}]}),
    ])
    by = {r.address: r.values for r in translate(stack).resources}
    assert by["aws_backup_selection.by-tag"]["condition"] == [
        {"string_equals": [{"key": "aws:ResourceTag/twb:backup", "value": "daily"}]}]
    assert by["aws_networkfirewall_rule_group.threats"]["rule_group"] == [{
        "rule_variables": [{"ip_sets": [{"key": "HOME_NET", "ip_set": [{"definition": ["10.0.0.0/16"]}]}]}],
        "rules_source": [{"rules_string": "drop tcp any any -> any 23 (sid:1;)"}]}]
    # the bridge entry for the association leaves `targets` alone: Terraform's block is plural
    assert by["aws_ssm_association.agent"]["targets"] == [{"key": "tag:twb:class", "values": ["core"]}]
