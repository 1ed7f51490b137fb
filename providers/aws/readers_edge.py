"""The internet edge: API Gateway, WAFv2, CloudFront, Network Firewall, Shield."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from brokerguard.providers.aws.discover import GLOBAL_REGION, Context, pages
from brokerguard.providers.aws.live import LiveResource, blocks, tag_map, with_tags


def read_api_gateway(ctx: Context) -> Iterator[LiveResource]:
    api = ctx.client("apigateway")
    for rest in pages(api, "get_rest_apis", "items"):
        rid = rest["id"]
        arn = f"arn:aws:apigateway:{ctx.region}::/restapis/{rid}"
        yield LiveResource("aws_api_gateway_rest_api", rid, ctx.region, "apigateway", with_tags({
            "id": rid, "name": rest.get("name", ""), "arn": arn,
            "endpoint_configuration": [{"types": (rest.get("endpointConfiguration") or {}).get("types", [])}],
        }, rest.get("tags")), arn=arn)
        # GetStages has no paginator: it returns every stage of the API.
        for stage in api.get_stages(restApiId=rid).get("item", []):
            name = stage["stageName"]
            sarn = f"{arn}/stages/{name}"
            res = LiveResource("aws_api_gateway_stage", f"ags-{rid}-{name}", ctx.region, "apigateway", with_tags({
                "id": f"ags-{rid}-{name}", "arn": sarn, "rest_api_id": rid, "stage_name": name,
                "deployment_id": stage.get("deploymentId", ""), "web_acl_arn": stage.get("webAclArn", ""),
                "xray_tracing_enabled": stage.get("tracingEnabled", False),
                "access_log_settings": [{"destination_arn": s["destinationArn"], "format": s.get("format", "")}
                                        for s in [stage.get("accessLogSettings") or {}] if s.get("destinationArn")],
            }, stage.get("tags")), arn=sarn)
            res.link("rest_api_id", "aws_api_gateway_rest_api", rid)
            yield res


def _marker_pages(call: Any, key: str, **kwargs: Any) -> list[dict]:
    """WAFv2 listings have no paginator in botocore: follow NextMarker by hand."""
    items, marker = [], None
    while True:
        page = call(**kwargs, **({"NextMarker": marker} if marker else {}))
        items += page.get(key, [])
        marker = page.get("NextMarker")
        if not marker or not page.get(key):
            return items


LOG_TARGETS = {"logGroup": "aws_cloudwatch_log_group", "bucketName": "aws_s3_bucket",
               "deliveryStream": "aws_kinesis_firehose_delivery_stream"}
REFERENCE_STATEMENTS = {"RegexPatternSetReferenceStatement": "aws_wafv2_regex_pattern_set",
                        "RuleGroupReferenceStatement": "aws_wafv2_rule_group", "IPSetReferenceStatement": "aws_wafv2_ip_set"}


# API lists Terraform writes as repeated singular blocks.
_SINGULAR = {"rule_action_overrides": "rule_action_override", "excluded_rules": "excluded_rule"}


def _rule_blocks(rule: dict) -> dict:
    """A WAFv2 rule as Terraform blocks, with Terraform's names for its repeated blocks."""
    def rename(node: Any) -> Any:
        if isinstance(node, dict):
            return {_SINGULAR.get(k, k): rename(v) for k, v in node.items()}
        if isinstance(node, list):
            return [rename(v) for v in node]
        return node
    return rename(blocks(rule))


def _link_statements(res: LiveResource, rules: list[dict]) -> None:
    """A rule that uses a pattern set or rule group by ARN refers to it."""
    def walk(node: Any, i: int) -> None:
        if isinstance(node, dict):
            for key, val in node.items():
                if key in REFERENCE_STATEMENTS and isinstance(val, dict):
                    res.link(("rule", i), REFERENCE_STATEMENTS[key], val.get("ARN"))
                walk(val, i)
        elif isinstance(node, list):
            for val in node:
                walk(val, i)
    for i, rule in enumerate(rules):
        walk(rule, i)


def _web_acls(ctx: Context, scope: str, region: str) -> list[LiveResource]:
    waf = ctx.client("wafv2", region)
    out = []
    for summary in _marker_pages(waf.list_regex_pattern_sets, "RegexPatternSets", Scope=scope):
        got = waf.get_regex_pattern_set(Name=summary["Name"], Scope=scope, Id=summary["Id"])["RegexPatternSet"]
        out.append(LiveResource("aws_wafv2_regex_pattern_set", got["Name"], region, "wafv2", {
            "id": got["Id"], "arn": got["ARN"], "name": got["Name"], "scope": scope,
            "regular_expression": [{"regex_string": r["RegexString"]} for r in got.get("RegularExpressionList", [])],
        }, arn=got["ARN"]))
    for summary in _marker_pages(waf.list_ip_sets, "IPSets", Scope=scope):
        got = waf.get_ip_set(Name=summary["Name"], Scope=scope, Id=summary["Id"])["IPSet"]
        out.append(LiveResource("aws_wafv2_ip_set", got["Name"], region, "wafv2", {
            "id": got["Id"], "arn": got["ARN"], "name": got["Name"], "scope": scope,
            "ip_address_version": got.get("IPAddressVersion", ""), "addresses": got.get("Addresses", [])}, arn=got["ARN"]))
    for summary in _marker_pages(waf.list_rule_groups, "RuleGroups", Scope=scope):
        got = waf.get_rule_group(Name=summary["Name"], Scope=scope, Id=summary["Id"])["RuleGroup"]
        group = LiveResource("aws_wafv2_rule_group", got["Name"], region, "wafv2", {
            "id": got["Id"], "arn": got["ARN"], "name": got["Name"], "scope": scope, "capacity": got.get("Capacity", 0),
            "rule": [_rule_blocks(r) for r in got.get("Rules", [])],
        }, arn=got["ARN"])
        _link_statements(group, got.get("Rules", []))
        out.append(group)
    for summary in _marker_pages(waf.list_web_acls, "WebACLs", Scope=scope):
        acl = waf.get_web_acl(Name=summary["Name"], Scope=scope, Id=summary["Id"])["WebACL"]
        arn = acl["ARN"]
        tags = waf.list_tags_for_resource(ResourceARN=arn).get("TagInfoForResource", {}).get("TagList", [])
        shaped = blocks({k: acl[k] for k in ("DefaultAction", "VisibilityConfig") if k in acl})
        rules = [_rule_blocks(r) for r in acl.get("Rules", [])]
        res = LiveResource("aws_wafv2_web_acl", acl["Name"], region, "wafv2", with_tags({
            "id": acl["Id"], "arn": arn, "name": acl["Name"], "scope": scope, "rule": rules, **shaped,
        }, tags), arn=arn)
        _link_statements(res, acl.get("Rules", []))
        out.append(res)
        logging = _logging(waf, arn)
        if logging:
            filt = logging.get("LoggingFilter")
            log = LiveResource("aws_wafv2_web_acl_logging_configuration", acl["Name"], region, "wafv2", {
                "id": arn, "resource_arn": arn, "log_destination_configs": logging.get("LogDestinationConfigs", []),
                # which records the log keeps: a filter that drops every one is no log
                "logging_filter": [{"default_behavior": filt.get("DefaultBehavior", ""), "filter": [
                    {"behavior": f.get("Behavior", ""), "requirement": f.get("Requirement", "")}
                    for f in filt.get("Filters", [])]}] if filt else [],
            }, arn=arn)
            log.link("resource_arn", "aws_wafv2_web_acl", arn)
            for dest in logging.get("LogDestinationConfigs", []):
                log.link("log_destination_configs", "aws_cloudwatch_log_group", dest.removesuffix(":*"))
            out.append(log)
    return out


def _logging(waf: object, arn: str) -> dict | None:
    from botocore.exceptions import ClientError

    try:
        return waf.get_logging_configuration(ResourceArn=arn)["LoggingConfiguration"]  # type: ignore[attr-defined]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "WAFNonexistentItemException":
            return None  # no logging configured: a fact, not a failure to read
        raise


def read_wafv2(ctx: Context) -> list[LiveResource]:
    out = _web_acls(ctx, "REGIONAL", ctx.region)
    if ctx.primary:  # web ACLs for CloudFront are global, served from us-east-1
        out += _web_acls(ctx, "CLOUDFRONT", GLOBAL_REGION)
    return out


def read_appsync(ctx: Context) -> list[LiveResource]:
    """AppSync GraphQL APIs: internet entry points that a web ACL must protect (CKV2_TWB_003)."""
    return [LiveResource("aws_appsync_graphql_api", api["apiId"], ctx.region, "appsync", with_tags({
        "id": api["apiId"], "arn": api["arn"], "name": api.get("name", ""),
        "authentication_type": api.get("authenticationType", ""), "visibility": api.get("visibility", "GLOBAL"),
    }, api.get("tags")), arn=api["arn"]) for api in pages(ctx.client("appsync"), "list_graphql_apis", "graphqlApis")]


def read_waf_associations(ctx: Context) -> Iterator[LiveResource]:
    """Which web ACL protects each load balancer, API stage and GraphQL API found in this region.

    One GetWebACLForResource per resource: ListResourcesForWebACL would be fewer calls, but an
    association to a resource outside the scan would then reference nothing.
    """
    waf = ctx.client("wafv2")
    for target in ctx.of_type("aws_lb", "aws_api_gateway_stage", "aws_appsync_graphql_api"):
        acl = waf.get_web_acl_for_resource(ResourceArn=target.arn).get("WebACL")
        if not acl:
            continue
        res = LiveResource("aws_wafv2_web_acl_association", f"{target.type}_{target.id}", ctx.region,
                           "wafv2.associations", {"id": f"{acl['ARN']},{target.arn}", "resource_arn": target.arn,
                                                  "web_acl_arn": acl["ARN"]})
        res.link("resource_arn", target.type, target.arn)
        res.link("web_acl_arn", "aws_wafv2_web_acl", acl["ARN"])
        yield res


def read_cloudfront(ctx: Context) -> Iterator[LiveResource]:
    cf = ctx.client("cloudfront")
    for page in cf.get_paginator("list_distributions").paginate():
        for dist in (page.get("DistributionList") or {}).get("Items", []) or []:
            arn = dist["ARN"]
            tags = cf.list_tags_for_resource(Resource=arn).get("Tags", {}).get("Items", [])
            res = LiveResource("aws_cloudfront_distribution", dist["Id"], ctx.region, "cloudfront", with_tags({
                "id": dist["Id"], "arn": arn, "domain_name": dist.get("DomainName", ""), "enabled": dist.get("Enabled", False),
                "web_acl_id": dist.get("WebACLId", ""),
            }, tags), arn=arn)
            res.link("web_acl_id", "aws_wafv2_web_acl", dist.get("WebACLId"))
            yield res


def read_network_firewalls(ctx: Context) -> Iterator[LiveResource]:
    nfw = ctx.client("network-firewall")
    for summary in pages(nfw, "list_firewalls", "Firewalls"):
        fw = nfw.describe_firewall(FirewallArn=summary["FirewallArn"])["Firewall"]
        arn = fw["FirewallArn"]
        res = LiveResource("aws_networkfirewall_firewall", fw["FirewallName"], ctx.region, "networkfirewall.firewalls",
                           with_tags({"id": arn, "arn": arn, "name": fw["FirewallName"], "vpc_id": fw.get("VpcId", ""),
                                      "firewall_policy_arn": fw.get("FirewallPolicyArn", ""),
                                      "delete_protection": fw.get("DeleteProtection", False),
                                      "subnet_mapping": [{"subnet_id": m["SubnetId"]} for m in fw.get("SubnetMappings", [])],
                                      }, fw.get("Tags")), arn=arn)
        res.link("vpc_id", "aws_vpc", fw.get("VpcId"))
        res.link("firewall_policy_arn", "aws_networkfirewall_firewall_policy", fw.get("FirewallPolicyArn"))
        for i, m in enumerate(fw.get("SubnetMappings", [])):
            res.link(("subnet_mapping", i, "subnet_id"), "aws_subnet", m["SubnetId"])
        yield res
        logging = nfw.describe_logging_configuration(FirewallArn=arn).get("LoggingConfiguration") or {}
        destinations = logging.get("LogDestinationConfigs", [])
        if destinations:
            log = LiveResource("aws_networkfirewall_logging_configuration", fw["FirewallName"], ctx.region,
                               "networkfirewall.firewalls", {"id": arn, "firewall_arn": arn, "logging_configuration": [
                                   {"log_destination_config": blocks(destinations)}]}, arn=arn)
            # log_destination is a map in Terraform, not a block
            for i, (dest, raw) in enumerate(zip(log.values["logging_configuration"][0]["log_destination_config"],
                                                destinations, strict=True)):
                dest["log_destination"] = target = raw.get("LogDestination", {})
                for key, rtype in LOG_TARGETS.items():
                    log.link(("logging_configuration", 0, "log_destination_config", i, "log_destination"), rtype,
                             target.get(key))
            log.link("firewall_arn", "aws_networkfirewall_firewall", arn)
            yield log


def read_network_firewall_policies(ctx: Context) -> Iterator[LiveResource]:
    nfw = ctx.client("network-firewall")
    for summary in pages(nfw, "list_firewall_policies", "FirewallPolicies"):
        got = nfw.describe_firewall_policy(FirewallPolicyArn=summary["Arn"])
        meta, policy = got["FirewallPolicyResponse"], got.get("FirewallPolicy", {})
        res = LiveResource("aws_networkfirewall_firewall_policy", meta["FirewallPolicyName"], ctx.region,
                           "networkfirewall.policies", with_tags({
                               "id": meta["FirewallPolicyArn"], "arn": meta["FirewallPolicyArn"],
                               "name": meta["FirewallPolicyName"], "firewall_policy": [blocks(policy)]}, meta.get("Tags")),
                           arn=meta["FirewallPolicyArn"])
        for key in ("StatefulRuleGroupReferences", "StatelessRuleGroupReferences"):
            for i, ref in enumerate(policy.get(key, [])):
                res.link(("firewall_policy", 0, key, i, "resource_arn"), "aws_networkfirewall_rule_group", ref.get("ResourceArn"))
        yield res
    for summary in pages(nfw, "list_rule_groups", "RuleGroups"):
        got = nfw.describe_rule_group(RuleGroupArn=summary["Arn"])
        meta = got["RuleGroupResponse"]
        yield LiveResource("aws_networkfirewall_rule_group", meta["RuleGroupName"], ctx.region,
                                "networkfirewall.policies", with_tags({
                                    "id": meta["RuleGroupArn"], "arn": meta["RuleGroupArn"], "name": meta["RuleGroupName"],
                                    "type": meta.get("Type", ""), "capacity": meta.get("Capacity", 0),
                                    "rule_group": [blocks(got.get("RuleGroup", {}))]}, meta.get("Tags")),
                                arn=meta["RuleGroupArn"])


def read_shield(ctx: Context) -> Iterator[LiveResource]:
    shield = ctx.client("shield")
    for p in pages(shield, "list_protections", "Protections"):
        arn = p.get("ProtectionArn") or p["Id"]
        tags = shield.list_tags_for_resource(ResourceARN=arn).get("Tags", []) if p.get("ProtectionArn") else []
        res = LiveResource("aws_shield_protection", p["Name"], ctx.region, "shield", with_tags({
            "id": p["Id"], "arn": arn, "name": p["Name"], "resource_arn": p.get("ResourceArn", "")}, tag_map(tags)), arn=arn)
        yield res


def read_route53_zones(ctx: Context) -> Iterator[LiveResource]:
    r53 = ctx.client("route53")
    for zone in pages(r53, "list_hosted_zones", "HostedZones"):
        zid = zone["Id"].rsplit("/", 1)[-1]
        values = {"id": zid, "zone_id": zid, "name": zone.get("Name", ""), "arn": f"arn:aws:route53:::hostedzone/{zid}"}
        if (zone.get("Config") or {}).get("PrivateZone"):
            vpcs = r53.get_hosted_zone(Id=zid).get("VPCs", [])
            values["vpc"] = [{"vpc_id": v.get("VPCId", ""), "vpc_region": v.get("VPCRegion", "")} for v in vpcs]
        yield LiveResource("aws_route53_zone", zid, ctx.region, "route53", with_tags(values, {}), arn=values["arn"])


def read_global_accelerators(ctx: Context) -> Iterator[LiveResource]:
    ga = ctx.client("globalaccelerator", "us-west-2")  # the API is served from us-west-2 only
    for acc in pages(ga, "list_accelerators", "Accelerators"):
        arn = acc["AcceleratorArn"]
        yield LiveResource("aws_globalaccelerator_accelerator", arn, ctx.region, "globalaccelerator", with_tags({
            "id": arn, "arn": arn, "name": acc.get("Name", ""), "enabled": acc.get("Enabled", False)}, {}), arn=arn)


def read_api_gateway_v2(ctx: Context) -> Iterator[LiveResource]:
    """HTTP and WebSocket APIs: internet entry points no WAFv2 web ACL can be associated with."""
    for api in pages(ctx.client("apigatewayv2"), "get_apis", "Items"):
        aid = api["ApiId"]
        arn = f"arn:aws:apigateway:{ctx.region}::/apis/{aid}"
        yield LiveResource("aws_apigatewayv2_api", aid, ctx.region, "apigatewayv2", with_tags({
            "id": aid, "arn": arn, "name": api.get("Name", ""), "protocol_type": api.get("ProtocolType", ""),
            "api_endpoint": api.get("ApiEndpoint", ""),
            "disable_execute_api_endpoint": api.get("DisableExecuteApiEndpoint", False)}, api.get("Tags")), arn=arn)


READERS = {"apigateway": read_api_gateway, "apigatewayv2": read_api_gateway_v2, "appsync": read_appsync,
           "wafv2": read_wafv2,
           "wafv2.associations": read_waf_associations, "cloudfront": read_cloudfront,
           "networkfirewall.firewalls": read_network_firewalls, "route53": read_route53_zones,
           "globalaccelerator": read_global_accelerators,
           "networkfirewall.policies": read_network_firewall_policies, "shield": read_shield}
