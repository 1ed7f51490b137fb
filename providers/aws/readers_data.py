"""Where data lives and is kept: log groups, S3, RDS, SES receipt rules, AWS Backup."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from brokerguard.providers.aws.discover import Context, pages
from brokerguard.providers.aws.live import LiveResource, blocks, subnet_group, with_tags


def _code(exc: Exception) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


def read_log_groups(ctx: Context) -> Iterator[LiveResource]:
    logs = ctx.client("logs")
    for group in pages(logs, "describe_log_groups", "logGroups"):
        arn = group["arn"].removesuffix(":*")
        tags = logs.list_tags_log_group(logGroupName=group["logGroupName"]).get("tags", {})
        yield LiveResource("aws_cloudwatch_log_group", group["logGroupName"], ctx.region, "logs", with_tags({
            "id": group["logGroupName"], "arn": arn, "name": group["logGroupName"],
            # never-expire is an absent retention in the API and 0 in Terraform
            "retention_in_days": group.get("retentionInDays", 0), "kms_key_id": group.get("kmsKeyId", ""),
        }, tags), arn=arn)


def _optional(call: Any, missing: str, **kwargs: Any) -> dict | None:
    """A bucket setting that may not exist: its absence is an answer, any other error is not."""
    from botocore.exceptions import ClientError

    try:
        return call(**kwargs)
    except ClientError as exc:
        if _code(exc) == missing:
            return None
        raise


def read_s3(ctx: Context) -> Iterator[LiveResource]:
    s3 = ctx.client("s3")
    for bucket in pages(s3, "list_buckets", "Buckets"):
        name = bucket["Name"]
        arn = f"arn:aws:s3:::{name}"
        region = s3.get_bucket_location(Bucket=name).get("LocationConstraint") or "us-east-1"
        tagging = _optional(s3.get_bucket_tagging, "NoSuchTagSet", Bucket=name) or {}
        yield LiveResource("aws_s3_bucket", name, region, "s3", with_tags(
            {"id": name, "arn": arn, "bucket": name, "region": region}, tagging.get("TagSet")), arn=arn)
        lifecycle = _optional(s3.get_bucket_lifecycle_configuration, "NoSuchLifecycleConfiguration", Bucket=name)
        if lifecycle:
            res = LiveResource("aws_s3_bucket_lifecycle_configuration", name, region, "s3", {
                "id": name, "bucket": name, "rule": [_lifecycle_rule(r) for r in lifecycle.get("Rules", [])]}, arn=arn)
            res.link("bucket", "aws_s3_bucket", name)
            yield res
        cors = _optional(s3.get_bucket_cors, "NoSuchCORSConfiguration", Bucket=name)
        if cors:  # a bucket browsers may PUT or POST into takes customers' uploads
            res = LiveResource("aws_s3_bucket_cors_configuration", name, region, "s3", {
                "id": name, "bucket": name, "cors_rule": blocks(cors.get("CORSRules", []))}, arn=arn)
            res.link("bucket", "aws_s3_bucket", name)
            yield res
        sse = _optional(s3.get_bucket_encryption, "ServerSideEncryptionConfigurationNotFoundError", Bucket=name)
        if sse:
            res = LiveResource("aws_s3_bucket_server_side_encryption_configuration", name, region, "s3", {
                "id": name, "bucket": name,
                "rule": [_sse_rule(r) for r in sse.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])]},
                arn=arn)
            res.link("bucket", "aws_s3_bucket", name)
            yield res
        replication = _optional(s3.get_bucket_replication, "ReplicationConfigurationNotFoundError", Bucket=name)
        if replication:  # where copies of the bucket's objects go
            rules = replication.get("ReplicationConfiguration", {}).get("Rules", [])
            res = LiveResource("aws_s3_bucket_replication_configuration", name, region, "s3", {
                "id": name, "bucket": name,
                "rule": [{"id": r.get("ID", ""), "status": r.get("Status", ""),
                          "destination": [{"bucket": (r.get("Destination") or {}).get("Bucket", "")}]}
                         for r in rules]}, arn=arn)
            res.link("bucket", "aws_s3_bucket", name)
            yield res
        block = _optional(s3.get_public_access_block, "NoSuchPublicAccessBlockConfiguration", Bucket=name)
        if block:
            conf = block["PublicAccessBlockConfiguration"]
            res = LiveResource("aws_s3_bucket_public_access_block", name, region, "s3", {
                "id": name, "bucket": name, "block_public_acls": conf.get("BlockPublicAcls", False),
                "block_public_policy": conf.get("BlockPublicPolicy", False),
                "ignore_public_acls": conf.get("IgnorePublicAcls", False),
                "restrict_public_buckets": conf.get("RestrictPublicBuckets", False)}, arn=arn)
            res.link("bucket", "aws_s3_bucket", name)
            yield res
        policy = _optional(s3.get_bucket_policy, "NoSuchBucketPolicy", Bucket=name)
        if policy:
            res = LiveResource("aws_s3_bucket_policy", name, region, "s3", {
                "id": name, "bucket": name, "policy": policy.get("Policy", "")}, arn=arn)
            res.link("bucket", "aws_s3_bucket", name)
            yield res
        acl = _canned_acl(s3.get_bucket_acl(Bucket=name).get("Grants", []))
        if acl != "private":
            res = LiveResource("aws_s3_bucket_acl", name, region, "s3", {"id": name, "bucket": name, "acl": acl}, arn=arn)
            res.link("bucket", "aws_s3_bucket", name)
            yield res


def read_account_public_access_block(ctx: Context) -> Iterator[LiveResource]:
    """The account's own S3 public access block: it applies to every bucket of the account."""
    got = _optional(ctx.client("s3control").get_public_access_block, "NoSuchPublicAccessBlockConfiguration",
                    AccountId=ctx.account)
    if got:
        conf = got["PublicAccessBlockConfiguration"]
        yield LiveResource("aws_s3_account_public_access_block", ctx.account, ctx.region, "s3control", {
            "id": ctx.account, "block_public_acls": conf.get("BlockPublicAcls", False),
            "block_public_policy": conf.get("BlockPublicPolicy", False),
            "ignore_public_acls": conf.get("IgnorePublicAcls", False),
            "restrict_public_buckets": conf.get("RestrictPublicBuckets", False)})


_GROUPS = {"http://acs.amazonaws.com/groups/global/AllUsers": "public-read",
           "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "authenticated-read"}


def _canned_acl(grants: list[dict]) -> str:
    """The canned ACL a bucket's grants amount to, as far as the world is concerned."""
    for grant in grants:
        uri = (grant.get("Grantee") or {}).get("URI", "")
        if uri in _GROUPS:
            return "public-read-write" if grant.get("Permission") in ("WRITE", "FULL_CONTROL") else _GROUPS[uri]
    return "private"


def read_search_domains(ctx: Context) -> Iterator[LiveResource]:
    """OpenSearch Service domains, OpenSearch and legacy Elasticsearch engines alike (one API serves both)."""
    api = ctx.client("opensearch")
    names = [d["DomainName"] for d in api.list_domain_names().get("DomainNames", [])]
    for i in range(0, len(names), 5):  # DescribeDomains takes at most 5 names
        for dom in api.describe_domains(DomainNames=names[i:i + 5]).get("DomainStatusList", []):
            arn, vpc = dom["ARN"], dom.get("VPCOptions") or {}
            rtype = "aws_elasticsearch_domain" if str(dom.get("EngineVersion", "")).startswith("Elasticsearch") \
                else "aws_opensearch_domain"
            tags = api.list_tags(ARN=arn).get("TagList", [])
            res = LiveResource(rtype, dom["DomainName"], ctx.region, "opensearch", with_tags({
                "id": arn, "arn": arn, "domain_name": dom["DomainName"], "engine_version": dom.get("EngineVersion", ""),
                # a domain outside any VPC has no vpc_options block in Terraform
                "vpc_options": [{"subnet_ids": vpc.get("SubnetIds", []), "security_group_ids": vpc.get("SecurityGroupIds", [])}]
                if vpc.get("SubnetIds") else []}, tags), arn=arn)
            for sid in vpc.get("SubnetIds", []):
                res.link(("vpc_options", 0, "subnet_ids"), "aws_subnet", sid)
            for gid in vpc.get("SecurityGroupIds", []):
                res.link(("vpc_options", 0, "security_group_ids"), "aws_security_group", gid)
            yield res


def read_redshift(ctx: Context) -> Iterator[LiveResource]:
    redshift = ctx.client("redshift")
    for group in pages(redshift, "describe_cluster_subnet_groups", "ClusterSubnetGroups"):
        name = group["ClusterSubnetGroupName"]
        yield subnet_group("aws_redshift_subnet_group", name, ctx.region, "redshift", group,
                           with_tags({"id": name, "name": name}, group.get("Tags")))
    for cluster in pages(redshift, "describe_clusters", "Clusters"):
        ident = cluster["ClusterIdentifier"]
        arn = f"arn:aws:redshift:{ctx.region}:{ctx.account}:cluster:{ident}"
        groups = [g["VpcSecurityGroupId"] for g in cluster.get("VpcSecurityGroups", [])]
        values = {"id": ident, "arn": arn, "cluster_identifier": ident, "node_type": cluster.get("NodeType", ""),
                  "publicly_accessible": cluster.get("PubliclyAccessible", False),
                  "cluster_subnet_group_name": cluster.get("ClusterSubnetGroupName", ""),
                  "vpc_security_group_ids": groups, "encrypted": cluster.get("Encrypted", False)}
        res = LiveResource("aws_redshift_cluster", ident, ctx.region, "redshift",
                           with_tags(values, cluster.get("Tags")), arn=arn)
        res.link("cluster_subnet_group_name", "aws_redshift_subnet_group", values["cluster_subnet_group_name"])
        for gid in groups:
            res.link("vpc_security_group_ids", "aws_security_group", gid)
        yield res


def read_mq(ctx: Context) -> Iterator[LiveResource]:
    mq = ctx.client("mq")
    for summary in pages(mq, "list_brokers", "BrokerSummaries"):
        broker = mq.describe_broker(BrokerId=summary["BrokerId"])
        bid, arn = broker["BrokerId"], broker.get("BrokerArn", "")
        values = {"id": bid, "arn": arn, "broker_name": broker.get("BrokerName", ""),
                  "publicly_accessible": broker.get("PubliclyAccessible", False),
                  "subnet_ids": broker.get("SubnetIds", []), "security_groups": broker.get("SecurityGroups", [])}
        res = LiveResource("aws_mq_broker", broker.get("BrokerName", bid), ctx.region, "mq",
                           with_tags(values, broker.get("Tags")), arn=arn)
        for sid in values["subnet_ids"]:
            res.link("subnet_ids", "aws_subnet", sid)
        for gid in values["security_groups"]:
            res.link("security_groups", "aws_security_group", gid)
        yield res


def read_dms(ctx: Context) -> Iterator[LiveResource]:
    dms = ctx.client("dms")
    for inst in pages(dms, "describe_replication_instances", "ReplicationInstances"):
        ident, arn = inst["ReplicationInstanceIdentifier"], inst.get("ReplicationInstanceArn", "")
        group = inst.get("ReplicationSubnetGroup") or {}
        group_id = group.get("ReplicationSubnetGroupIdentifier", "")
        if group_id:  # the instance's subnet group, as the instance reports it
            yield subnet_group("aws_dms_replication_subnet_group", group_id, ctx.region, "dms", group, {
                "id": group_id, "replication_subnet_group_id": group_id})
        groups = [g["VpcSecurityGroupId"] for g in inst.get("VpcSecurityGroups", [])]
        tags = dms.list_tags_for_resource(ResourceArn=arn).get("TagList", []) if arn else []
        values = {"id": ident, "arn": arn, "replication_instance_id": ident,
                  "publicly_accessible": inst.get("PubliclyAccessible", True),
                  "replication_subnet_group_id": group_id, "vpc_security_group_ids": groups}
        res = LiveResource("aws_dms_replication_instance", ident, ctx.region, "dms", with_tags(values, tags), arn=arn)
        res.link("replication_subnet_group_id", "aws_dms_replication_subnet_group", group_id)
        for gid in groups:
            res.link("vpc_security_group_ids", "aws_security_group", gid)
        yield res


def _sse_rule(rule: dict) -> dict:
    """Acronym keys (SSEAlgorithm, KMSMasterKeyID) named as Terraform names them."""
    default = rule.get("ApplyServerSideEncryptionByDefault") or {}
    return {"bucket_key_enabled": rule.get("BucketKeyEnabled", False),
            "apply_server_side_encryption_by_default": [{"sse_algorithm": default.get("SSEAlgorithm", ""),
                                                         "kms_master_key_id": default.get("KMSMasterKeyID", "")}]}


def _lifecycle_rule(rule: dict) -> dict:
    shaped = blocks({k: v for k, v in rule.items() if k not in ("ID", "Status", "Transitions", "NoncurrentVersionTransitions")})
    shaped.update(id=rule.get("ID", ""), status=rule.get("Status", ""),
                  transition=blocks(rule.get("Transitions", [])),
                  noncurrent_version_transition=blocks(rule.get("NoncurrentVersionTransitions", [])))
    return shaped


def _db_values(db: dict, ident: str) -> dict:
    return {
        "engine": db.get("Engine", ""), "db_subnet_group_name": (db.get("DBSubnetGroup") or {}).get("DBSubnetGroupName", "")
        or db.get("DBSubnetGroup", ""),
        "vpc_security_group_ids": [g["VpcSecurityGroupId"] for g in db.get("VpcSecurityGroups", [])],
        "backup_retention_period": db.get("BackupRetentionPeriod", 0), "storage_encrypted": db.get("StorageEncrypted", False),
        "multi_az": db.get("MultiAZ", False), "deletion_protection": db.get("DeletionProtection", False),
        "identifier": ident, "kms_key_id": db.get("KmsKeyId", ""),
        # a read replica names its source (an ARN when the source is in another region)
        "replicate_source_db": db.get("ReadReplicaSourceDBInstanceIdentifier", ""),
        # and a source names its replicas, also those in regions this scan does not read (by ARN)
        "read_replica_identifiers": db.get("ReadReplicaDBInstanceIdentifiers", db.get("ReadReplicaIdentifiers", [])),
        "replication_source_identifier": db.get("ReplicationSourceIdentifier", ""),
    }


def read_rds(ctx: Context) -> Iterator[LiveResource]:
    rds = ctx.client("rds")
    for group in pages(rds, "describe_db_subnet_groups", "DBSubnetGroups"):
        name = group["DBSubnetGroupName"]
        yield subnet_group("aws_db_subnet_group", name, ctx.region, "rds", group, {
            "id": name, "name": name, "arn": group.get("DBSubnetGroupArn", ""), "vpc_id": group.get("VpcId", "")},
            arn=group.get("DBSubnetGroupArn"))
    for cluster in pages(rds, "describe_db_clusters", "DBClusters"):
        ident = cluster["DBClusterIdentifier"]
        values = _db_values(cluster, ident)
        values["cluster_identifier"] = values.pop("identifier")
        res = LiveResource("aws_rds_cluster", ident, ctx.region, "rds", with_tags(
            {"id": ident, "arn": cluster["DBClusterArn"], **values}, cluster.get("TagList")), arn=cluster["DBClusterArn"])
        _db_links(res, values)
        yield res
    for db in pages(rds, "describe_db_instances", "DBInstances"):
        ident = db["DBInstanceIdentifier"]
        values = {"id": db.get("DbiResourceId", ident), "arn": db["DBInstanceArn"], **_db_values(db, ident),
                  "publicly_accessible": db.get("PubliclyAccessible", False), "instance_class": db.get("DBInstanceClass", "")}
        cluster = db.get("DBClusterIdentifier")
        rtype = "aws_rds_cluster_instance" if cluster else "aws_db_instance"
        if cluster:
            values["cluster_identifier"] = cluster
        res = LiveResource(rtype, ident, ctx.region, "rds", with_tags(values, db.get("TagList")), arn=db["DBInstanceArn"])
        _db_links(res, values)
        res.link("cluster_identifier", "aws_rds_cluster", cluster)
        yield res


def _db_links(res: LiveResource, values: dict) -> None:
    res.link("db_subnet_group_name", "aws_db_subnet_group", values.get("db_subnet_group_name"))
    for gid in values["vpc_security_group_ids"]:
        res.link("vpc_security_group_ids", "aws_security_group", gid)


def read_ses(ctx: Context) -> Iterator[LiveResource]:
    ses = ctx.client("ses")
    active = (ses.describe_active_receipt_rule_set().get("Metadata") or {}).get("Name")
    for rule_set in pages(ses, "list_receipt_rule_sets", "RuleSets"):
        name = rule_set["Name"]
        arn = f"arn:aws:ses:{ctx.region}:{ctx.account}:receipt-rule-set/{name}"
        yield LiveResource("aws_ses_receipt_rule_set", name, ctx.region, "ses",
                                {"id": name, "rule_set_name": name, "arn": arn}, arn=arn)
        if name == active:
            res = LiveResource("aws_ses_active_receipt_rule_set", name, ctx.region, "ses",
                               {"id": name, "rule_set_name": name, "arn": arn}, arn=arn)
            res.link("rule_set_name", "aws_ses_receipt_rule_set", name)
            yield res
        for rule in ses.describe_receipt_rule_set(RuleSetName=name).get("Rules", []):
            res = LiveResource("aws_ses_receipt_rule", f"{name}:{rule['Name']}", ctx.region, "ses", {
                "id": rule["Name"], "name": rule["Name"], "rule_set_name": name, "enabled": rule.get("Enabled", False),
                "scan_enabled": rule.get("ScanEnabled", False), "tls_policy": rule.get("TlsPolicy", "Optional"),
                "recipients": rule.get("Recipients", []), "actions": blocks(rule.get("Actions", [])),
            }, arn=f"{arn}:receipt-rule/{rule['Name']}")
            res.link("rule_set_name", "aws_ses_receipt_rule_set", name)
            yield res


def read_backup_plans(ctx: Context) -> Iterator[LiveResource]:
    backup = ctx.client("backup")
    for summary in pages(backup, "list_backup_plans", "BackupPlansList"):
        plan = backup.get_backup_plan(BackupPlanId=summary["BackupPlanId"])
        body = plan.get("BackupPlan", {})
        rules = []
        for rule in body.get("Rules", []):
            shaped = blocks({k: v for k, v in rule.items() if k in ("RuleName", "TargetBackupVaultName",
                                                                   "ScheduleExpression", "Lifecycle", "CopyActions")})
            shaped["target_vault_name"] = shaped.pop("target_backup_vault_name", "")
            shaped["schedule"] = shaped.pop("schedule_expression", "")
            shaped.pop("copy_actions", None)
            shaped["copy_action"] = [{"destination_vault_arn": a.get("DestinationBackupVaultArn", "")}
                                     for a in rule.get("CopyActions", [])]
            rules.append(shaped)
        arn = plan["BackupPlanArn"]
        tags = backup.list_tags(ResourceArn=arn).get("Tags", {})
        yield LiveResource("aws_backup_plan", body.get("BackupPlanName", summary["BackupPlanId"]), ctx.region,
                                "backup.plans", with_tags({"id": plan["BackupPlanId"], "arn": arn,
                                                           "name": body.get("BackupPlanName", ""), "rule": rules}, tags),
                                arn=arn)


def read_backup_selections(ctx: Context) -> Iterator[LiveResource]:
    backup = ctx.client("backup")
    for summary in pages(backup, "list_backup_plans", "BackupPlansList"):
        plan_id = summary["BackupPlanId"]
        for sel in pages(backup, "list_backup_selections", "BackupSelectionsList", BackupPlanId=plan_id):
            body = backup.get_backup_selection(BackupPlanId=plan_id, SelectionId=sel["SelectionId"])["BackupSelection"]
            res = LiveResource("aws_backup_selection", sel["SelectionId"], ctx.region, "backup.selections", {
                "id": sel["SelectionId"], "plan_id": plan_id, "name": body.get("SelectionName", ""),
                "iam_role_arn": body.get("IamRoleArn", ""), "resources": body.get("Resources", []),
                "not_resources": body.get("NotResources", []),
                "selection_tag": [{"type": t.get("ConditionType", ""), "key": t.get("ConditionKey", ""),
                                   "value": t.get("ConditionValue", "")} for t in body.get("ListOfTags", [])],
            })
            res.link("plan_id", "aws_backup_plan", plan_id)
            yield res


READERS = {"logs": read_log_groups, "s3": read_s3, "s3control": read_account_public_access_block,
           "opensearch": read_search_domains, "rds": read_rds, "mq": read_mq, "dms": read_dms,
           "redshift": read_redshift, "ses": read_ses,
           "backup.plans": read_backup_plans, "backup.selections": read_backup_selections}
