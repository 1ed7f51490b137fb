"""Compute and data services that make up an information system besides EC2 and RDS: Lambda,
DynamoDB, ECS, EKS, ElastiCache, Auto Scaling groups and launch templates.

Every type in CLASSIFIED_TYPES must be read: a kind of system that discovery skips would pass
system-classification (and the core-isolation rules) silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from brokerguard.providers.aws.discover import Context, pages
from brokerguard.providers.aws.live import LiveResource, subnet_group, with_tags

ECS_DESCRIBE_BATCH = 10  # DescribeServices takes at most 10 services


def _link_network(res: LiveResource, block: str, subnets: list[str], groups: list[str],
                  subnet_key: str = "subnet_ids", group_key: str = "security_group_ids") -> None:
    for sid in subnets:
        res.link((block, 0, subnet_key), "aws_subnet", sid)
    for gid in groups:
        res.link((block, 0, group_key), "aws_security_group", gid)


def read_lambda(ctx: Context) -> Iterator[LiveResource]:
    lam = ctx.client("lambda")
    for fn in pages(lam, "list_functions", "Functions"):
        arn, vpc = fn["FunctionArn"], fn.get("VpcConfig") or {}
        subnets, groups = vpc.get("SubnetIds", []), vpc.get("SecurityGroupIds", [])
        tags = lam.list_tags(Resource=arn).get("Tags", {})
        res = LiveResource("aws_lambda_function", fn["FunctionName"], ctx.region, "lambda", with_tags({
            "id": fn["FunctionName"], "arn": arn, "function_name": fn["FunctionName"], "runtime": fn.get("Runtime", ""),
            "role": fn.get("Role", ""), "handler": fn.get("Handler", ""), "package_type": fn.get("PackageType", "Zip"),
            # a function outside any VPC has no vpc_config block in Terraform
            "vpc_config": [{"subnet_ids": subnets, "security_group_ids": groups, "vpc_id": vpc.get("VpcId", "")}]
            if subnets else [],
        }, tags), arn=arn)
        _link_network(res, "vpc_config", subnets, groups)
        yield res
        yield from _function_urls(ctx, lam, fn["FunctionName"])


def _function_urls(ctx: Context, lam: Any, name: str) -> Iterator[LiveResource]:
    """The function's URLs: the unqualified one and one per alias (GetFunctionUrlConfig answers
    ResourceNotFoundException where there is none)."""
    from botocore.exceptions import ClientError

    for qualifier in [None, *(a["Name"] for a in pages(lam, "list_aliases", "Aliases", FunctionName=name))]:
        try:
            url = lam.get_function_url_config(FunctionName=name, **({"Qualifier": qualifier} if qualifier else {}))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                continue
            raise
        rid = f"{name}:{qualifier}" if qualifier else name
        res = LiveResource("aws_lambda_function_url", rid, ctx.region, "lambda", {
            "id": rid, "function_name": name, "qualifier": qualifier or "", "function_url": url.get("FunctionUrl", ""),
            "authorization_type": url.get("AuthType", "")})
        res.link("function_name", "aws_lambda_function", name)
        yield res


def read_dynamodb(ctx: Context) -> Iterator[LiveResource]:
    ddb = ctx.client("dynamodb")
    for name in pages(ddb, "list_tables", "TableNames"):
        table = ddb.describe_table(TableName=name)["Table"]
        arn = table["TableArn"]
        tags = list(pages(ddb, "list_tags_of_resource", "Tags", ResourceArn=arn))
        sse = table.get("SSEDescription") or {}
        yield LiveResource("aws_dynamodb_table", name, ctx.region, "dynamodb", with_tags({
            "id": name, "arn": arn, "name": name,
            "billing_mode": (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED"),
            "hash_key": next((k["AttributeName"] for k in table.get("KeySchema", []) if k["KeyType"] == "HASH"), ""),
            "server_side_encryption": [{"enabled": sse.get("Status") == "ENABLED",
                                        "kms_key_arn": sse.get("KMSMasterKeyArn", "")}] if sse else [],
            "deletion_protection_enabled": table.get("DeletionProtectionEnabled", False),
            # a global table's copies in other regions
            "replica": [{"region_name": r.get("RegionName", "")} for r in table.get("Replicas", [])],
        }, tags), arn=arn)


def read_ecs(ctx: Context) -> Iterator[LiveResource]:
    ecs = ctx.client("ecs")
    for cluster in pages(ecs, "list_clusters", "clusterArns"):
        arns = list(pages(ecs, "list_services", "serviceArns", cluster=cluster))
        for i in range(0, len(arns), ECS_DESCRIBE_BATCH):
            got = ecs.describe_services(cluster=cluster, services=arns[i:i + ECS_DESCRIBE_BATCH], include=["TAGS"])
            for svc in got.get("services", []):
                net = (svc.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
                subnets, groups = net.get("subnets", []), net.get("securityGroups", [])
                res = LiveResource("aws_ecs_service", f"{cluster}/{svc['serviceName']}", ctx.region, "ecs", with_tags({
                    "id": svc["serviceArn"], "arn": svc["serviceArn"], "name": svc["serviceName"], "cluster": cluster,
                    "task_definition": svc.get("taskDefinition", ""), "launch_type": svc.get("launchType", ""),
                    "desired_count": svc.get("desiredCount", 0),
                    "network_configuration": [{"subnets": subnets, "security_groups": groups,
                                               "assign_public_ip": net.get("assignPublicIp") == "ENABLED"}]
                    if net else [],
                }, svc.get("tags")), arn=svc["serviceArn"])
                _link_network(res, "network_configuration", subnets, groups, "subnets", "security_groups")
                res.link("task_definition", "aws_ecs_task_definition", svc.get("taskDefinition"))
                yield res


def read_eks(ctx: Context) -> Iterator[LiveResource]:
    eks = ctx.client("eks")
    for name in pages(eks, "list_clusters", "clusters"):
        cluster = eks.describe_cluster(name=name)["cluster"]
        vpc = cluster.get("resourcesVpcConfig") or {}
        subnets, groups = vpc.get("subnetIds", []), vpc.get("securityGroupIds", [])
        res = LiveResource("aws_eks_cluster", name, ctx.region, "eks", with_tags({
            "id": name, "arn": cluster["arn"], "name": name, "version": cluster.get("version", ""),
            "role_arn": cluster.get("roleArn", ""),
            "vpc_config": [{"subnet_ids": subnets, "security_group_ids": groups, "vpc_id": vpc.get("vpcId", ""),
                            "cluster_security_group_id": vpc.get("clusterSecurityGroupId", ""),
                            "endpoint_public_access": vpc.get("endpointPublicAccess", True),
                            "endpoint_private_access": vpc.get("endpointPrivateAccess", False),
                            "public_access_cidrs": vpc.get("publicAccessCidrs", [])}],
        }, cluster.get("tags")), arn=cluster["arn"])
        _link_network(res, "vpc_config", subnets, groups)
        res.link(("vpc_config", 0, "cluster_security_group_id"), "aws_security_group", vpc.get("clusterSecurityGroupId"))
        yield res


def read_elasticache(ctx: Context) -> Iterator[LiveResource]:
    ec = ctx.client("elasticache")
    for group in pages(ec, "describe_cache_subnet_groups", "CacheSubnetGroups"):
        name = group["CacheSubnetGroupName"]
        yield subnet_group("aws_elasticache_subnet_group", name, ctx.region, "elasticache", group, {
            "id": name, "name": name, "arn": group.get("ARN", ""), "vpc_id": group.get("VpcId", "")}, arn=group.get("ARN"))
    # A replication group's subnet group and security groups are those of its member clusters.
    members = {c["CacheClusterId"]: c for c in pages(ec, "describe_cache_clusters", "CacheClusters")}
    for rg in pages(ec, "describe_replication_groups", "ReplicationGroups"):
        rid, arn = rg["ReplicationGroupId"], rg["ARN"]
        clusters = [members[m] for m in rg.get("MemberClusters", []) if m in members]
        group_name = next((c["CacheSubnetGroupName"] for c in clusters if c.get("CacheSubnetGroupName")), "")
        groups = sorted({g["SecurityGroupId"] for c in clusters for g in c.get("SecurityGroups", [])})
        tags = ec.list_tags_for_resource(ResourceName=arn).get("TagList", [])
        res = LiveResource("aws_elasticache_replication_group", rid, ctx.region, "elasticache", with_tags({
            "id": rid, "arn": arn, "replication_group_id": rid, "description": rg.get("Description", ""),
            "node_type": rg.get("CacheNodeType", ""), "num_cache_clusters": len(rg.get("MemberClusters", [])),
            "automatic_failover_enabled": rg.get("AutomaticFailover") in ("enabled", "enabling"),
            "multi_az_enabled": rg.get("MultiAZ") == "enabled",
            "at_rest_encryption_enabled": rg.get("AtRestEncryptionEnabled", False),
            "transit_encryption_enabled": rg.get("TransitEncryptionEnabled", False),
            "subnet_group_name": group_name, "security_group_ids": groups,
        }, tags), arn=arn)
        res.link("subnet_group_name", "aws_elasticache_subnet_group", group_name)
        for gid in groups:
            res.link("security_group_ids", "aws_security_group", gid)
        yield res


def read_autoscaling(ctx: Context) -> Iterator[LiveResource]:
    for asg in pages(ctx.client("autoscaling"), "describe_auto_scaling_groups", "AutoScalingGroups"):
        name, arn = asg["AutoScalingGroupName"], asg["AutoScalingGroupARN"]
        subnets = [s for s in (asg.get("VPCZoneIdentifier") or "").split(",") if s]
        template = asg.get("LaunchTemplate") or (
            (asg.get("MixedInstancesPolicy") or {}).get("LaunchTemplate", {}).get("LaunchTemplateSpecification")) or {}
        tags = [{"key": t["Key"], "value": t.get("Value", ""), "propagate_at_launch": t.get("PropagateAtLaunch", False)}
                for t in asg.get("Tags", [])]
        # Terraform tags an auto scaling group through `tag` blocks, not a tags map.
        res = LiveResource("aws_autoscaling_group", name, ctx.region, "autoscaling", {
            "id": name, "arn": arn, "name": name, "min_size": asg.get("MinSize", 0), "max_size": asg.get("MaxSize", 0),
            "desired_capacity": asg.get("DesiredCapacity", 0), "vpc_zone_identifier": subnets,
            "availability_zones": asg.get("AvailabilityZones", []),
            "launch_configuration": asg.get("LaunchConfigurationName", ""),
            "launch_template": [{"id": template.get("LaunchTemplateId", ""), "name": template.get("LaunchTemplateName", ""),
                                 "version": template.get("Version", "")}] if template else [],
            "tag": tags,
        }, arn=arn)
        for sid in subnets:
            res.link("vpc_zone_identifier", "aws_subnet", sid)
        res.link(("launch_template", 0, "id"), "aws_launch_template",
                 template.get("LaunchTemplateId") or template.get("LaunchTemplateName"))
        res.link("launch_configuration", "aws_launch_configuration", asg.get("LaunchConfigurationName"))
        yield res
    for lc in pages(ctx.client("autoscaling"), "describe_launch_configurations", "LaunchConfigurations"):
        name, arn = lc["LaunchConfigurationName"], lc.get("LaunchConfigurationARN", "")
        res = LiveResource("aws_launch_configuration", name, ctx.region, "autoscaling", {
            "id": name, "arn": arn, "name": name, "image_id": lc.get("ImageId", ""),
            "instance_type": lc.get("InstanceType", ""), "security_groups": lc.get("SecurityGroups", []),
            "associate_public_ip_address": lc.get("AssociatePublicIpAddress", False),
        }, arn=arn or None)
        for gid in lc.get("SecurityGroups", []):
            res.link("security_groups", "aws_security_group", gid)
        yield res


def read_launch_templates(ctx: Context) -> Iterator[LiveResource]:
    ec2 = ctx.client("ec2")
    for lt in pages(ec2, "describe_launch_templates", "LaunchTemplates"):
        tid = lt["LaunchTemplateId"]
        # Instances launch from the default or the latest version (an ASG names either): judge both.
        versions = [v.get("LaunchTemplateData", {}) for v in ec2.describe_launch_template_versions(
            LaunchTemplateId=tid, Versions=sorted({"$Default", "$Latest"})).get("LaunchTemplateVersions", [])]
        nics = [{"associate_public_ip_address": nic.get("AssociatePublicIpAddress", False),
                 "subnet_id": nic.get("SubnetId", ""), "security_groups": nic.get("Groups", []),
                 "device_index": nic.get("DeviceIndex", 0)} for data in versions for nic in data.get("NetworkInterfaces", [])]
        groups = list(dict.fromkeys(g for data in versions for g in data.get("SecurityGroupIds", [])))
        latest = versions[-1] if versions else {}
        arn = f"arn:aws:ec2:{ctx.region}:{ctx.account}:launch-template/{tid}"
        res = LiveResource("aws_launch_template", tid, ctx.region, "ec2.launch_templates", with_tags({
            "id": tid, "arn": arn, "name": lt.get("LaunchTemplateName", ""), "image_id": latest.get("ImageId", ""),
            "instance_type": latest.get("InstanceType", ""), "default_version": lt.get("DefaultVersionNumber", 0),
            "latest_version": lt.get("LatestVersionNumber", 0), "network_interfaces": nics,
            "vpc_security_group_ids": groups,
        }, lt.get("Tags")), arn=arn)
        for i, nic in enumerate(nics):
            res.link(("network_interfaces", i, "subnet_id"), "aws_subnet", nic["subnet_id"])
            for gid in nic["security_groups"]:
                res.link(("network_interfaces", i, "security_groups"), "aws_security_group", gid)
        for gid in groups:
            res.link("vpc_security_group_ids", "aws_security_group", gid)
        yield res


READERS = {"lambda": read_lambda, "dynamodb": read_dynamodb, "ecs": read_ecs, "eks": read_eks,
           "elasticache": read_elasticache, "autoscaling": read_autoscaling,
           "ec2.launch_templates": read_launch_templates}
