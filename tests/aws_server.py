"""A real moto_server on 127.0.0.1, and the accounts the AWS tests seed into it through boto3.

The compliant account mirrors iac_examples/terraform/tier1-compliant (judged as tier 2): moto can
represent all of it (VPC, subnets, internet gateway, route tables, security groups, an internet-facing
ALB with a WAFv2 web ACL association, a core instance and RDS database in private subnets, a tagged S3
bucket, a Network Firewall in the VPC). The tier-4 example relies on a firewall realised in another
account (evidence), so it would test less of the live path.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REGION = "ap-northeast-1"
FAKE_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION, "AWS_MAX_ATTEMPTS": "2", "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
CLASSIFIED = {"twb:system": "online-trading", "twb:confidentiality": "high", "twb:integrity": "high",
              "twb:availability": "high", "twb:legal-compliance": "high", "twb:rto": "2h"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MotoServer:
    """`moto_server` as a separate process on a free loopback port."""

    def __init__(self) -> None:
        exe = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or shutil.which("moto_server")
        if exe is None:
            raise RuntimeError("moto_server is not installed (pip install -e '.[test]')")
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(self.port)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, env={**os.environ, **FAKE_ENV})
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/moto-api/", timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"moto_server did not answer on {self.url}") from None
                time.sleep(0.2)

    def reset(self) -> None:
        """Forget every resource: the next test seeds its own account."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        urllib.request.urlopen(request, timeout=10).close()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _tags(extra: dict[str, str] | None = None) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in {**CLASSIFIED, **(extra or {})}.items()]


@dataclass
class Account:
    """Handles of what was seeded, so a test can take one protection away."""

    clients: Any
    ids: dict[str, str]

    def client(self, service: str, region: str = REGION) -> Any:
        return self.clients(service, region)


def _web_acl(client: Any, region: str, scope: str, name: str) -> str:
    """A web ACL like the example's: OWASP groups blocking, a rate limit, national ID and card number
    detection, every request logged to a log group kept five years. Returns its ARN."""
    waf = client("wafv2", region)
    patterns = waf.create_regex_pattern_set(Name=f"{name}-sensitive-data", Scope=scope, RegularExpressionList=[
        {"RegexString": r"\b[A-Z][12][0-9]{8}\b"}, {"RegexString": r"\b(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14})\b"}],
    )["Summary"]

    def visible(metric: str) -> dict:
        return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": metric}

    rules = [{"Name": f"aws-{short}", "Priority": i, "OverrideAction": {"None": {}}, "VisibilityConfig": visible(short),
              "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": group}}}
             for i, (short, group) in enumerate((("common", "AWSManagedRulesCommonRuleSet"),
                                                 ("sqli", "AWSManagedRulesSQLiRuleSet"),
                                                 ("known-bad-inputs", "AWSManagedRulesKnownBadInputsRuleSet")), 1)]
    rules.append({"Name": "rate-limit", "Priority": 4, "Action": {"Block": {}}, "VisibilityConfig": visible("rate-limit"),
                  "Statement": {"RateBasedStatement": {"Limit": 2000, "AggregateKeyType": "IP"}}})
    rules.append({"Name": "sensitive-data", "Priority": 5, "Action": {"Count": {}},
                  "VisibilityConfig": visible("sensitive-data"),
                  "Statement": {"RegexPatternSetReferenceStatement": {
                      "ARN": patterns["ARN"], "FieldToMatch": {"Body": {}},
                      "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}}})
    acl = waf.create_web_acl(Name=name, Scope=scope, DefaultAction={"Allow": {}}, Rules=rules,
                             VisibilityConfig=visible(name))["Summary"]
    logs = client("logs", region)
    logs.create_log_group(logGroupName=f"aws-waf-logs-{name}")
    logs.put_retention_policy(logGroupName=f"aws-waf-logs-{name}", retentionInDays=1827)
    waf.put_logging_configuration(LoggingConfiguration={"ResourceArn": acl["ARN"], "LogDestinationConfigs": [
        f"arn:aws:logs:{region}:123456789012:log-group:aws-waf-logs-{name}"]})
    return acl["ARN"]


def seed_compliant(url: str, without: tuple[str, ...] = ()) -> Account:
    """The tier1-compliant example, created through boto3 as a console or pipeline would.

    without: parts left out ("firewall": no Network Firewall in the VPC).
    """
    import boto3

    from brokerguard.providers.aws.discover import pin_endpoint

    cache: dict[tuple[str, str], Any] = {}

    def client(service: str, region: str = REGION) -> Any:
        if (service, region) not in cache:
            cache[(service, region)] = boto3.client(service, region_name=region, endpoint_url=url,
                                                    aws_access_key_id="testing", aws_secret_access_key="testing")
            if service == "s3control":
                pin_endpoint(cache[(service, region)], url)
        return cache[(service, region)]

    ec2 = client("ec2")
    ids: dict[str, str] = {}
    vpc = ids["vpc"] = ec2.create_vpc(CidrBlock="10.10.0.0/16")["Vpc"]["VpcId"]
    igw = ids["igw"] = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    for name, cidr, az in (("public_a", "10.10.0.0/24", "a"), ("public_c", "10.10.1.0/24", "c"),
                           ("firewall", "10.10.2.0/28", "a"), ("private_a", "10.10.10.0/24", "a"),
                           ("private_c", "10.10.11.0/24", "c")):
        ids[name] = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=f"{REGION}{az}")["Subnet"]["SubnetId"]
    public = ids["rt_public"] = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    private = ids["rt_private"] = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    for subnet, table in (("public_a", public), ("public_c", public), ("private_a", private), ("private_c", private)):
        ec2.associate_route_table(SubnetId=ids[subnet], RouteTableId=table)

    alb_sg = ids["sg_alb"] = ec2.create_security_group(GroupName="alb", Description="alb", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=alb_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    order_sg = ids["sg_order"] = ec2.create_security_group(GroupName="order", Description="order", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=order_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8443, "ToPort": 8443, "UserIdGroupPairs": [{"GroupId": alb_sg}]}])
    db_sg = ids["sg_db"] = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=db_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": order_sg}]}])

    lb = client("elbv2").create_load_balancer(
        Name="online-order", Subnets=[ids["public_a"], ids["public_c"]], SecurityGroups=[alb_sg],
        Scheme="internet-facing", Type="application", Tags=_tags({"twb:class": "core"}))["LoadBalancers"][0]
    ids["lb_arn"] = lb["LoadBalancerArn"]
    ids["acl_arn"] = _web_acl(client, REGION, "REGIONAL", "online-order")
    logs = client("logs")
    for group in ("/trading/network-firewall/flow", "/trading/network-firewall/alert"):
        logs.create_log_group(logGroupName=group)
        logs.put_retention_policy(logGroupName=group, retentionInDays=1827)
    client("wafv2").associate_web_acl(WebACLArn=ids["acl_arn"], ResourceArn=lb["LoadBalancerArn"])

    ids["instance"] = ec2.run_instances(
        ImageId="ami-12c6146b", InstanceType="m6i.large", MinCount=1, MaxCount=1, SubnetId=ids["private_a"],
        SecurityGroupIds=[order_sg],
        TagSpecifications=[{"ResourceType": "instance", "Tags": _tags({"twb:class": "core"})}],
    )["Instances"][0]["InstanceId"]

    rds = client("rds")
    rds.create_db_subnet_group(DBSubnetGroupName="trading", DBSubnetGroupDescription="trading",
                               SubnetIds=[ids["private_a"], ids["private_c"]])
    rds.create_db_instance(DBInstanceIdentifier="ledger", Engine="postgres", DBInstanceClass="db.m6i.large",
                           AllocatedStorage=100, DBSubnetGroupName="trading", VpcSecurityGroupIds=[db_sg],
                           PubliclyAccessible=False, MultiAZ=True, BackupRetentionPeriod=14, MasterUsername="ledger",
                           MasterUserPassword="not-a-real-password-1", Tags=_tags({"twb:class": "core"}))

    s3 = client("s3")
    s3.create_bucket(Bucket="example-securities-reports", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_tagging(Bucket="example-securities-reports", Tagging={"TagSet": [
        {"Key": "twb:system", "Value": "back-office-reporting"}, {"Key": "twb:class", "Value": "non-core"},
        {"Key": "twb:confidentiality", "Value": "medium"}, {"Key": "twb:integrity", "Value": "high"},
        {"Key": "twb:availability", "Value": "low"}, {"Key": "twb:legal-compliance", "Value": "high"}]})

    if "firewall" in without:
        return Account(client, ids)
    fw = client("network-firewall").create_firewall(
        FirewallName="trading", VpcId=vpc, SubnetMappings=[{"SubnetId": ids["firewall"]}],
        FirewallPolicyArn=f"arn:aws:network-firewall:{REGION}:123456789012:firewall-policy/trading",
        Tags=[{"Key": "twb:firewall-admin", "Value": "netops@example-securities.com.tw"}])["Firewall"]
    ids["firewall_arn"] = fw["FirewallArn"]
    client("network-firewall").update_logging_configuration(FirewallArn=fw["FirewallArn"], LoggingConfiguration={
        "LogDestinationConfigs": [{"LogType": kind, "LogDestinationType": "CloudWatchLogs",
                                   "LogDestination": {"logGroup": f"/trading/network-firewall/{kind.lower()}"}}
                                  for kind in ("FLOW", "ALERT")]})
    return Account(client, ids)


def create_function(account: Account, name: str, tags: dict[str, str] | None = None) -> str:
    """A Lambda function (moto wants its role to exist and real zip code). Returns its ARN."""
    import io
    import json
    import zipfile

    role = account.client("iam", "us-east-1").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "lambda.amazonaws.com"}}]}))["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return account.client("lambda").create_function(FunctionName=name, Runtime="python3.12", Role=role,
                                                    Handler="handler.handler", Code={"ZipFile": code.getvalue()},
                                                    Tags=tags or {})["FunctionArn"]


def seed_example_detection(account: Account) -> None:
    """The rest of the tier1-compliant example that moto serves: detection.tf (GuardDuty with runtime
    monitoring, Security Hub, a multi-region validated trail, VPC flow logs to S3), response.tf (findings
    routed to an isolating Lambda function) and resilience.tf (the backup plan). moto serves no Security
    Hub standards, Detective graphs, Backup selections or SSM associations: those stay unread."""
    ids = account.ids
    ids["detector"] = account.client("guardduty").create_detector(Enable=True, Features=[
        {"Name": "RUNTIME_MONITORING", "Status": "ENABLED",
         "AdditionalConfiguration": [{"Name": "EC2_AGENT_MANAGEMENT", "Status": "ENABLED"}]}])["DetectorId"]
    account.client("securityhub").enable_security_hub(EnableDefaultStandards=False)
    s3 = account.client("s3")
    s3.create_bucket(Bucket="example-securities-log-archive", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_tagging(Bucket="example-securities-log-archive", Tagging={"TagSet": _tags({"twb:class": "non-core"})})
    trail = account.client("cloudtrail")
    trail.create_trail(Name="organization-activity", S3BucketName="example-securities-log-archive",
                       IsMultiRegionTrail=True, EnableLogFileValidation=True)
    trail.start_logging(Name="organization-activity")
    # moto takes no key prefix in an S3 destination (the example's ends in /flow-logs/)
    flow = account.client("ec2").create_flow_logs(ResourceIds=[ids["vpc"]], ResourceType="VPC", TrafficType="ALL",
                                                  LogDestinationType="s3",
                                                  LogDestination="arn:aws:s3:::example-securities-log-archive")
    assert not flow["Unsuccessful"], flow["Unsuccessful"]
    isolate = create_function(account, "isolate-compromised-instance",
                              {**CLASSIFIED, "twb:system": "security-response", "twb:class": "non-core"})
    events = account.client("events")
    events.put_rule(Name="security-findings", EventPattern='{"source": ["aws.guardduty", "aws.securityhub"]}',
                    State="ENABLED")
    events.put_targets(Rule="security-findings", Targets=[{"Id": "isolate", "Arn": isolate}])
    backup = account.client("backup")
    backup.create_backup_vault(BackupVaultName="core-systems")
    backup.create_backup_plan(BackupPlan={"BackupPlanName": "core-systems-daily", "Rules": [
        {"RuleName": "daily", "TargetBackupVaultName": "core-systems", "ScheduleExpression": "cron(0 18 * * ? *)",
         "Lifecycle": {"DeleteAfterDays": 35}}]})


def seed_detection(account: Account) -> None:
    """What the detection, logging and backup controls look at: one of each kind the reader covers."""
    ids = account.ids
    logs = account.client("logs")
    logs.create_log_group(logGroupName="/trading/flow", tags={"twb:purpose": "flow-logs"})
    logs.put_retention_policy(logGroupName="/trading/flow", retentionInDays=1096)
    ec2 = account.client("ec2")
    ec2.create_flow_logs(ResourceIds=[ids["vpc"]], ResourceType="VPC", TrafficType="ALL", LogGroupName="/trading/flow",
                         DeliverLogsPermissionArn="arn:aws:iam::123456789012:role/flow-logs")
    ids["detector"] = account.client("guardduty").create_detector(Enable=True)["DetectorId"]
    account.client("securityhub").enable_security_hub(EnableDefaultStandards=False)
    s3 = account.client("s3")
    s3.create_bucket(Bucket="example-securities-trail", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_tagging(Bucket="example-securities-trail", Tagging={"TagSet": _tags({"twb:class": "non-core"})})
    s3.put_public_access_block(Bucket="example-securities-trail", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.put_bucket_lifecycle_configuration(Bucket="example-securities-trail", LifecycleConfiguration={"Rules": [
        {"ID": "keep-3-years", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 1096}}]})
    trail = account.client("cloudtrail")
    trail.create_trail(Name="org-trail", S3BucketName="example-securities-trail", IsMultiRegionTrail=True,
                       EnableLogFileValidation=True)
    trail.start_logging(Name="org-trail")
    events = account.client("events")
    events.put_rule(Name="guardduty-findings", EventPattern='{"source": ["aws.guardduty"]}', State="ENABLED")
    events.put_targets(Rule="guardduty-findings", Targets=[{"Id": "soc", "Arn": "arn:aws:sns:ap-northeast-1:123456789012:soc"}])
    account.client("backup").create_backup_plan(BackupPlan={"BackupPlanName": "core-daily", "Rules": [
        {"RuleName": "daily", "TargetBackupVaultName": "Default", "ScheduleExpression": "cron(0 3 * * ? *)",
         "Lifecycle": {"DeleteAfterDays": 35}}]})
    ses = account.client("ses", "us-east-1")
    ses.create_receipt_rule_set(RuleSetName="inbound")
    ses.create_receipt_rule(RuleSetName="inbound", Rule={"Name": "scan", "Enabled": True, "ScanEnabled": True,
                                                         "TlsPolicy": "Require", "Recipients": ["example.com.tw"]})
    ses.set_active_receipt_rule_set(RuleSetName="inbound")
    account.client("shield", "us-east-1").create_protection(Name="online-order-alb", ResourceArn=ids["lb_arn"])
    api = account.client("apigateway")
    rest = api.create_rest_api(name="quotes")["id"]
    root = api.get_resources(restApiId=rest)["items"][0]["id"]
    api.put_method(restApiId=rest, resourceId=root, httpMethod="GET", authorizationType="NONE")
    api.put_integration(restApiId=rest, resourceId=root, httpMethod="GET", type="MOCK")
    deployment = api.create_deployment(restApiId=rest)["id"]
    api.create_stage(restApiId=rest, stageName="prod", deploymentId=deployment)
    ids["stage_arn"] = f"arn:aws:apigateway:{REGION}::/restapis/{rest}/stages/prod"
    account.client("wafv2").associate_web_acl(WebACLArn=ids["acl_arn"], ResourceArn=ids["stage_arn"])
    ids["edge_acl_arn"] = _web_acl(account.clients, "us-east-1", "CLOUDFRONT", "edge")
    origin = {"Id": "alb", "DomainName": "online-order.example.com.tw", "CustomOriginConfig": {
        "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}
    ids["distribution"] = account.client("cloudfront", "us-east-1").create_distribution(DistributionConfig={
        "CallerReference": "online-order", "Comment": "online order", "Enabled": True, "WebACLId": ids["edge_acl_arn"],
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {"TargetOriginId": "alb", "ViewerProtocolPolicy": "redirect-to-https",
                                 "MinTTL": 0, "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}},
    })["Distribution"]["Id"]


class DenyingProxy:
    """A loopback endpoint in front of moto that answers AccessDenied for some services (as IAM would
    for a role without their permissions) and drops every connection for some regions (unreachable)."""

    def __init__(self, upstream: str, denied: set[str] = frozenset(), unreachable: set[str] = frozenset()) -> None:
        import http.server
        import re
        import threading

        credential = re.compile(r"Credential=[^/]+/\d+/([^/]+)/([^/]+)/aws4_request")

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def _relay(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                match = credential.search(self.headers.get("Authorization", ""))
                region, service = match.groups() if match else ("", "")
                if region in unreachable:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if service in denied:
                    json_protocol = "json" in (self.headers.get("Content-Type") or "")
                    answer = (b'{"__type":"AccessDeniedException","message":"not authorized to perform this action"}'
                              if json_protocol else
                              b"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized"
                              b"</Message></Error><RequestId>denied</RequestId></ErrorResponse>")
                    self.send_response(403)
                    self.send_header("Content-Type", "application/x-amz-json-1.1" if json_protocol else "text/xml")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                    return
                request = urllib.request.Request(upstream + self.path, data=body or None, method=self.command,
                                                 headers={k: v for k, v in self.headers.items() if k.lower() != "host"})
                try:
                    response = urllib.request.urlopen(request, timeout=30)
                except urllib.error.HTTPError as err:
                    response = err
                data = response.read()
                self.send_response(response.status if hasattr(response, "status") else response.code)
                for key, value in response.headers.items():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _relay  # noqa: N815 (http.server's names)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
