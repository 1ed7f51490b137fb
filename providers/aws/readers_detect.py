"""Detection and audit: GuardDuty, SSM agent associations, Security Hub, CloudTrail, EventBridge, Detective."""

from __future__ import annotations

from collections.abc import Iterator

from brokerguard.providers.aws.discover import Context, pages, token_pages
from brokerguard.providers.aws.live import LiveResource, blocks, with_tags


def read_guardduty(ctx: Context) -> Iterator[LiveResource]:
    gd = ctx.client("guardduty")
    for did in pages(gd, "list_detectors", "DetectorIds"):
        det = gd.get_detector(DetectorId=did)
        arn = f"arn:aws:guardduty:{ctx.region}:{ctx.account}:detector/{did}"
        yield LiveResource("aws_guardduty_detector", did, ctx.region, "guardduty", with_tags({
            "id": did, "arn": arn, "enable": det.get("Status") == "ENABLED",
            "finding_publishing_frequency": det.get("FindingPublishingFrequency", ""),
            "datasources": [blocks(det["DataSources"])] if det.get("DataSources") else [],
        }, det.get("Tags")), arn=arn)
        for feature in det.get("Features", []):
            res = LiveResource("aws_guardduty_detector_feature", f"{did}/{feature['Name']}", ctx.region, "guardduty", {
                "id": f"{did}/{feature['Name']}", "detector_id": did, "name": feature["Name"],
                "status": feature.get("Status", ""),
                "additional_configuration": [{"name": c["Name"], "status": c.get("Status", "")}
                                             for c in feature.get("AdditionalConfiguration", [])],
            })
            res.link("detector_id", "aws_guardduty_detector", did)
            yield res


def read_malware_protection_plans(ctx: Context) -> Iterator[LiveResource]:
    """GuardDuty Malware Protection plans for S3: which buckets' new objects are scanned."""
    gd = ctx.client("guardduty")
    for summary in token_pages(gd.list_malware_protection_plans, "MalwareProtectionPlans"):
        pid = summary["MalwareProtectionPlanId"]
        plan = gd.get_malware_protection_plan(MalwareProtectionPlanId=pid)
        bucket = (plan.get("ProtectedResource") or {}).get("S3Bucket") or {}
        res = LiveResource("aws_guardduty_malware_protection_plan", pid, ctx.region, "guardduty.malware_plans",
                           with_tags({"id": pid, "arn": plan.get("Arn", ""), "role": plan.get("Role", ""),
                                      "status": plan.get("Status", ""),
                                      "protected_resource": [{"s3_bucket": [{
                                          "bucket_name": bucket.get("BucketName", ""),
                                          "object_prefixes": bucket.get("ObjectPrefixes", [])}]}],
                                      "actions": [blocks(plan["Actions"])] if plan.get("Actions") else []},
                                     plan.get("Tags")), arn=plan.get("Arn"))
        res.link(("protected_resource", 0, "s3_bucket", 0, "bucket_name"), "aws_s3_bucket", bucket.get("BucketName"))
        yield res


def read_security_hub(ctx: Context) -> list[LiveResource]:
    from botocore.exceptions import ClientError

    hub = ctx.client("securityhub")
    try:
        got = hub.describe_hub()
    except ClientError as exc:
        error = exc.response.get("Error", {})
        # Security Hub switched off answers InvalidAccessException "... not subscribed ..."; a denied
        # caller answers AccessDenied, which stays an error.
        if error.get("Code") == "InvalidAccessException" and "not subscribed" in str(error.get("Message", "")):
            return []
        raise
    arn = got["HubArn"]
    return [LiveResource("aws_securityhub_account", ctx.account, ctx.region, "securityhub", {
        "id": ctx.account, "arn": arn, "auto_enable_controls": got.get("AutoEnableControls", False),
        "control_finding_generator": got.get("ControlFindingGenerator", ""),
    }, arn=arn)]


def read_security_hub_standards(ctx: Context) -> list[LiveResource]:
    return [LiveResource("aws_securityhub_standards_subscription", sub["StandardsSubscriptionArn"], ctx.region,
                         "securityhub.standards", {"id": sub["StandardsSubscriptionArn"], "standards_arn": sub["StandardsArn"],
                                                   "status": sub.get("StandardsStatus", "")},
                         arn=sub["StandardsSubscriptionArn"])
            for sub in pages(ctx.client("securityhub"), "get_enabled_standards", "StandardsSubscriptions")]


def read_cloudtrail(ctx: Context) -> Iterator[LiveResource]:
    ct = ctx.client("cloudtrail")
    for summary in pages(ct, "list_trails", "Trails"):
        if summary.get("HomeRegion") != ctx.region:
            continue  # a multi-region trail is read once, in its home region
        trail = ct.get_trail(Name=summary["TrailARN"])["Trail"]
        arn = trail["TrailARN"]
        status = ct.get_trail_status(Name=arn)
        selectors = ct.get_event_selectors(TrailName=arn)
        tags = next((t.get("TagsList", []) for t in ct.list_tags(ResourceIdList=[arn]).get("ResourceTagList", [])), [])
        res = LiveResource("aws_cloudtrail", trail["Name"], ctx.region, "cloudtrail", with_tags({
            "id": trail["Name"], "arn": arn, "name": trail["Name"], "s3_bucket_name": trail.get("S3BucketName", ""),
            "is_multi_region_trail": trail.get("IsMultiRegionTrail", False),
            "include_global_service_events": trail.get("IncludeGlobalServiceEvents", False),
            "is_organization_trail": trail.get("IsOrganizationTrail", False),
            "enable_log_file_validation": trail.get("LogFileValidationEnabled", False),
            "enable_logging": status.get("IsLogging", False),
            "cloud_watch_logs_group_arn": trail.get("CloudWatchLogsLogGroupArn", ""),
            "kms_key_id": trail.get("KmsKeyId", ""),
            "event_selector": blocks(selectors.get("EventSelectors", [])),
            "advanced_event_selector": blocks(selectors.get("AdvancedEventSelectors", [])),
        }, tags), arn=arn)
        res.link("s3_bucket_name", "aws_s3_bucket", trail.get("S3BucketName"))
        res.link("cloud_watch_logs_group_arn", "aws_cloudwatch_log_group",
                 str(trail.get("CloudWatchLogsLogGroupArn", "")).removesuffix(":*"))
        yield res


def read_events(ctx: Context) -> Iterator[LiveResource]:
    ev = ctx.client("events")
    for rule in pages(ev, "list_rules", "Rules"):
        arn = rule["Arn"]
        bus = rule.get("EventBusName", "default")
        rid = rule["Name"] if bus == "default" else f"{bus}/{rule['Name']}"
        tags = ev.list_tags_for_resource(ResourceARN=arn).get("Tags", [])
        yield LiveResource("aws_cloudwatch_event_rule", rid, ctx.region, "events", with_tags({
            "id": rid, "arn": arn, "name": rule["Name"], "event_bus_name": bus,
            "event_pattern": rule.get("EventPattern", ""), "schedule_expression": rule.get("ScheduleExpression", ""),
            "state": rule.get("State", ""),
        }, tags), arn=arn)
        for target in pages(ev, "list_targets_by_rule", "Targets", Rule=rule["Name"], EventBusName=bus):
            res = LiveResource("aws_cloudwatch_event_target", f"{rid}-{target['Id']}", ctx.region, "events", {
                "id": f"{rid}-{target['Id']}", "rule": rule["Name"], "event_bus_name": bus, "target_id": target["Id"],
                "arn": target["Arn"]})
            res.link("rule", "aws_cloudwatch_event_rule", arn)
            yield res


def read_detective(ctx: Context) -> Iterator[LiveResource]:
    det = ctx.client("detective")
    for graph in token_pages(det.list_graphs, "GraphList"):
        arn = graph["Arn"]
        tags = det.list_tags_for_resource(ResourceArn=arn).get("Tags", {})
        yield LiveResource("aws_detective_graph", arn.rsplit("/", 1)[-1], ctx.region, "detective",
                                with_tags({"id": arn, "graph_arn": arn}, tags), arn=arn)


def read_ssm_associations(ctx: Context) -> Iterator[LiveResource]:
    """State Manager associations: which documents (an endpoint agent's installer) run on which instances."""
    for assoc in pages(ctx.client("ssm"), "list_associations", "Associations"):
        aid = assoc["AssociationId"]
        targets = [{"key": t.get("Key", ""), "values": t.get("Values", [])} for t in assoc.get("Targets", [])]
        res = LiveResource("aws_ssm_association", aid, ctx.region, "ssm", {
            "id": aid, "association_id": aid, "name": assoc.get("Name", ""),
            "association_name": assoc.get("AssociationName", ""),
            "schedule_expression": assoc.get("ScheduleExpression", ""), "targets": targets,
        }, arn=f"arn:aws:ssm:{ctx.region}:{ctx.account}:association/{aid}")
        for i, target in enumerate(targets):  # instances named by id are the discovered instances
            if target["key"] == "InstanceIds":
                for iid in target["values"]:
                    res.link(("targets", i, "values"), "aws_instance", iid)
        yield res


READERS = {"guardduty": read_guardduty, "guardduty.malware_plans": read_malware_protection_plans,
           "ssm": read_ssm_associations, "securityhub": read_security_hub,
           "securityhub.standards": read_security_hub_standards, "cloudtrail": read_cloudtrail,
           "events": read_events, "detective": read_detective}
