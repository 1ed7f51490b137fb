"""scan-aws against a real moto_server on loopback: the same control results as the Terraform example,
one protection taken away at a time, access denied and unreachable regions, drift, permissions."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from aws_server import (
    CLASSIFIED,
    FAKE_ENV,
    REGION,
    Account,
    DenyingProxy,
    MotoServer,
    create_function,
    seed_compliant,
    seed_detection,
    seed_example_detection,
)
from conftest import EXAMPLES, REPO

PROFILE = REPO / "iac_examples" / "profiles" / "tier1.yaml"
EXAMPLE = EXAMPLES / "tier1-compliant"
# The tier-1 example's profile judged as tier 2, on the date its evidence is written for.
BROKER = ("--profile", PROFILE, "--tier", "2", "--as-of", "2024-06-30")
INFRASTRUCTURE = ("firewall", "waf", "system-classification")
# moto serves no Network Firewall policies (ListFirewallPolicies answers 500): the checks that read them
# (TWB_STACK_010 default deny, TWB_STACK_013 IPS signatures) cannot be judged, so in every scan of a moto
# account these controls are `error` (exit 2) unless a judged check fails them.
MOTO_UNJUDGED = ("firewall", "ids-ips")


def expected_elsewhere(control: str) -> dict[str, str]:
    """Infrastructure controls other than `control` in an otherwise compliant moto account."""
    return {c: "error" if c in MOTO_UNJUDGED else "pass" for c in INFRASTRUCTURE if c != control}


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    server = MotoServer()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {**FAKE_ENV, "AWS_MAX_ATTEMPTS": "1"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def account(moto: MotoServer) -> Account:
    moto.reset()
    return seed_compliant(moto.url)


def scan_aws(cli, url: str, *extra: object):
    return cli("scan-aws", *BROKER, "--region", REGION, "--endpoint-url", url, "--format", "json", *extra)


def failed(run, control: str) -> set[tuple[str, str]]:
    return {(f["check_id"], f["resource"]) for f in run.control(control)["findings"] if f["result"] == "failed"}


# What moto does not serve, per control the example passes: the check that therefore cannot be judged
# live and the operation that fails. Such a control is `error` live (never a pass); every other check
# of it must give the example's result.
MOTO_UNSERVED = {
    "firewall": {"TWB_STACK_003": "ListFirewallPolicies", "TWB_STACK_010": "ListFirewallPolicies"},
    "ids-ips": {"TWB_STACK_013": "ListFirewallPolicies"},
    "threat-detection": {"TWB_STACK_024": "GetEnabledStandards"},
    "bcp-drill": {"TWB_STACK_031": "ListBackupSelections"},
    "antivirus": {"TWB_STACK_021": "ListAssociations", "TWB_STACK_022": "ListMalwareProtectionPlans"},
}
# Types scan-aws has no reader for (services.yaml): the checks reading them are `error` live, never a
# pass on "nothing found"; the note names a type each of them cannot read.
NEVER_READ = {
    "email-filtering": {"CKV2_TWB_030": "does not read aws_ses_domain_dkim",
                        "TWB_STACK_020": "does not read aws_route53_record"},
    "firewall": {"TWB_STACK_011": "does not read aws_kinesis_firehose_delivery_stream"},
    "ids-ips": {"TWB_STACK_013": "does not read aws_ec2_traffic_mirror_session"},
}
# The seeded receipt rules live in us-east-1, outside the one region scanned.
OUTSIDE_REGION = {"email-filtering": {"CKV_TWB_030"}}
UNJUDGED_LIVE = {c: {**MOTO_UNSERVED.get(c, {}), **NEVER_READ.get(c, {})} for c in {*MOTO_UNSERVED, *NEVER_READ}}


def test_compliant_account_gets_the_terraform_examples_results(cli, moto: MotoServer, account: Account) -> None:
    seed_example_detection(account)
    live = scan_aws(cli, moto.url)
    code = cli("scan", EXAMPLE, *BROKER, "--format", "json")
    assert code.code == 0, code.out
    assert live.code == 2, live.out + live.err

    def checks(run, control: str, leave_out: set[str]) -> list[tuple[str, str]]:
        return sorted({(f["check_id"], f["result"]) for f in run.control(control)["findings"]
                       if f["check_id"] not in leave_out})

    compared = []
    for control in code.statuses():
        unjudged = UNJUDGED_LIVE.get(control, {})
        if unjudged:
            assert live.control(control)["status"] == "error", control
        else:
            assert live.control(control)["status"] == code.control(control)["status"], control
        for check, operation in unjudged.items():
            assert any(n.startswith(f"{check} could not be judged") and operation in n
                       for n in live.control(control)["notes"]), (control, live.control(control)["notes"])
        leave_out = set(unjudged) | OUTSIDE_REGION.get(control, set())
        assert checks(live, control, leave_out) == checks(code, control, leave_out), control
        compared += checks(live, control, leave_out)
    # the detection, response and backup parts are judged live, not only the network
    assert {("TWB_STACK_023", "passed"), ("TWB_STACK_025", "passed"), ("TWB_STACK_026", "passed"),
            ("TWB_STACK_027", "passed"), ("CKV_TWB_032", "passed"), ("CKV_TWB_034", "passed"),
            ("CKV_TWB_036", "passed")} <= set(compared)
    waf = {(f["check_id"], f["resource"]): f for f in live.control("waf")["findings"]}
    lb = waf[("CKV2_TWB_001", "aws_lb.online_order")]
    assert lb["result"] == "passed" and lb["file"] == f"aws://{REGION}/elbv2"
    firewall = {(f["check_id"], f["resource"]) for f in live.control("firewall")["findings"] if f["result"] == "passed"}
    assert ("TWB_STACK_003", f"aws_vpc.{account.ids['vpc'].replace('-', '_')}") in firewall
    assert ("CKV_TWB_003", "aws_db_instance.ledger") in firewall
    # moto does not serve these: never a silent pass, but no check of this catalog reads them
    assert {u["type"] for u in live.json["unread"]} >= {"aws_detective_graph", "aws_networkfirewall_firewall_policy"}


def _remove_waf(a: Account) -> None:
    a.client("wafv2").disassociate_web_acl(ResourceArn=a.ids["lb_arn"])


def _public_db(a: Account) -> None:
    a.client("rds").modify_db_instance(DBInstanceIdentifier="ledger", PubliclyAccessible=True, ApplyImmediately=True)


def _private_route_to_internet(a: Account) -> None:
    a.client("ec2").create_route(RouteTableId=a.ids["rt_private"], DestinationCidrBlock="0.0.0.0/0", GatewayId=a.ids["igw"])


def _open_security_group(a: Account) -> None:
    a.client("ec2").authorize_security_group_ingress(GroupId=a.ids["sg_order"], IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])


def _untag(a: Account) -> None:
    a.client("ec2").delete_tags(Resources=[a.ids["instance"]], Tags=[{"Key": "twb:integrity"}])


def _address(rtype: str, rid: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", rid)
    return f"{rtype}.{'r_' if name[0].isdigit() else ''}{name}"  # a Terraform name cannot start with a digit


@pytest.mark.parametrize(("take_away", "control", "check", "resource"), [
    (_remove_waf, "waf", "CKV2_TWB_001", lambda a: "aws_lb.online_order"),
    (_public_db, "firewall", "CKV_TWB_003", lambda a: "aws_db_instance.ledger"),
    (_private_route_to_internet, "firewall", "TWB_STACK_001", lambda a: _address("aws_instance", a.ids["instance"])),
    (_open_security_group, "firewall", "TWB_STACK_002", lambda a: _address("aws_instance", a.ids["instance"])),
    (_untag, "system-classification", "CKV_TWB_001", lambda a: _address("aws_instance", a.ids["instance"])),
], ids=["waf-association-removed", "core-db-public", "private-subnet-routes-to-igw", "sg-open-to-internet",
        "classification-tag-removed"])
def test_account_missing_one_protection_fails_that_control(cli, moto: MotoServer, account: Account, take_away,
                                                          control: str, check: str, resource) -> None:
    take_away(account)
    run = scan_aws(cli, moto.url)
    assert run.code == 2, run.err  # ids-ips is `error` under moto (see MOTO_UNJUDGED)
    assert run.control(control)["status"] == "fail"  # a judged failure stands, whatever could not be read
    assert (check, resource(account)) in failed(run, control)
    assert {c: run.control(c)["status"] for c in INFRASTRUCTURE if c != control} == expected_elsewhere(control)


def test_every_internet_entry_point_is_judged_for_waf(cli, moto: MotoServer, account: Account) -> None:
    seed_detection(account)  # adds an API Gateway stage and a CloudFront distribution, both behind WAFv2
    run = scan_aws(cli, moto.url)
    assert run.control("waf")["status"] == "pass", run.out
    entry = ("CKV2_TWB_001", "CKV2_TWB_002", "CKV_TWB_004")
    passed = {(f["check_id"], f["resource"].split(".")[0]) for f in run.control("waf")["findings"]
              if f["result"] == "passed" and f["check_id"] in entry}
    assert passed == {("CKV2_TWB_001", "aws_lb"), ("CKV2_TWB_002", "aws_api_gateway_stage"),
                      ("CKV_TWB_004", "aws_cloudfront_distribution")}
    account.client("wafv2").disassociate_web_acl(ResourceArn=account.ids["stage_arn"])
    run = scan_aws(cli, moto.url)
    assert run.control("waf")["status"] == "fail"
    assert {c for c, _ in failed(run, "waf")} == {"CKV2_TWB_002"}


def test_account_without_network_firewall_fails_the_firewall_control(cli, moto: MotoServer) -> None:
    moto.reset()
    account = seed_compliant(moto.url, without=("firewall",))
    run = scan_aws(cli, moto.url)
    # TWB_STACK_003 also reads firewall policies (is the firewall on the path inspecting?), which moto does not
    # list: the control is `error`, and the finding names the VPC without a firewall
    assert run.control("firewall")["status"] == "error"
    assert failed(run, "firewall") == {("TWB_STACK_003", _address("aws_vpc", account.ids["vpc"]))}


def test_access_denied_is_error_not_pass(cli, moto: MotoServer, account: Account) -> None:
    proxy = DenyingProxy(moto.url, denied={"wafv2"})
    try:
        run = scan_aws(cli, proxy.url)
    finally:
        proxy.stop()
    assert run.code == 2, run.out
    assert run.json["summary"]["exit_code"] == 2
    waf = run.control("waf")
    assert waf["status"] == "error" and waf["decided_by"] == "error"
    assert any("wafv2" in n and "access denied (AccessDeniedException)" in n for n in waf["notes"]), waf["notes"]
    # controls that do not read WAFv2 are still judged
    assert run.control("system-classification")["status"] == "pass"
    assert not any("wafv2" in n for n in run.control("firewall")["notes"])


def test_every_report_format_says_what_could_not_be_judged(moto: MotoServer, account: Account) -> None:
    import datetime as dt
    import xml.etree.ElementTree as ET

    from brokerguard import report
    from brokerguard.catalog import load_catalog
    from brokerguard.gate import GateOptions, decide
    from brokerguard.profile import load_profile
    from brokerguard.providers.aws.build import read_account
    from brokerguard.scan import scan_sources

    proxy = DenyingProxy(moto.url, denied={"wafv2"})
    try:
        source = read_account([REGION], endpoint_url=proxy.url)
    finally:
        proxy.stop()
    catalog = load_catalog()
    result = scan_sources([source], load_profile(PROFILE, catalog, tier=2), dt.date(2024, 6, 30), catalog)
    texts = report.render(["json", "sarif", "junitxml", "markdown"], result, "en", decide(result, GateOptions()))
    sarif = json.loads(texts["sarif"])["runs"][0]["invocations"][0]
    assert sarif["executionSuccessful"] is False and sarif["exitCode"] == 2
    assert "waf" in [n["descriptor"]["id"] for n in sarif["toolExecutionNotifications"]]
    case = next(c for c in ET.fromstring(texts["junitxml"]).iter("testcase") if c.get("name", "").startswith("control waf:"))
    assert case.find("failure").get("type") == "error"
    assert json.loads(texts["json"])["summary"]["exit_code"] == 2
    assert "access denied (AccessDeniedException) on GetWebACLForResource" in texts["markdown"]


def test_unreachable_region_is_error(cli, moto: MotoServer, account: Account) -> None:
    proxy = DenyingProxy(moto.url, unreachable={"ap-southeast-1"})
    try:
        run = cli("scan-aws", *BROKER, "--region", REGION, "--region", "ap-southeast-1", "--endpoint-url", proxy.url,
                  "--format", "json")
    finally:
        proxy.stop()
    assert run.code == 2
    for control in INFRASTRUCTURE:
        assert run.control(control)["status"] == "error", control
        assert any("@ap-southeast-1: unreachable" in n for n in run.control(control)["notes"])


def test_cli_table_names_the_denied_service(cli, moto: MotoServer, account: Account) -> None:
    proxy = DenyingProxy(moto.url, denied={"elasticloadbalancing"})
    try:
        run = cli("scan-aws", *BROKER, "--region", REGION, "--endpoint-url", proxy.url)
    finally:
        proxy.stop()
    assert run.code == 2
    assert re.search(r"^ERROR +waf ", run.out, re.M)
    assert "elbv2@ap-northeast-1: access denied (AccessDenied) on DescribeLoadBalancers" in run.out
    assert "INCOMPLETE" in run.out


def test_no_credentials_endpoint_is_an_input_error(cli, moto: MotoServer) -> None:
    closed = DenyingProxy(moto.url)
    url = closed.url
    closed.stop()
    run = cli("scan-aws", "--tier", "2", "--region", REGION, "--endpoint-url", url)
    assert run.code == 2
    assert run.err.startswith("brokerguard: error: aws: cannot identify the account")


def test_drift_shows_a_hand_removed_waf_association(cli, moto: MotoServer, account: Account) -> None:
    def missing_live(run) -> list[tuple[str, str]]:
        return [(d["protection"], d["subject"]) for d in run.json["drift"]["code_not_live"]]

    same = scan_aws(cli, moto.url, "--compare-with", EXAMPLE)
    assert same.json["drift"]["compared_with"] == str(EXAMPLE) and same.json["drift"]["live_not_in_code"] == []
    assert ("WAFv2 web ACL association", "lb online-order") not in missing_live(same)
    _remove_waf(account)
    run = scan_aws(cli, moto.url, "--compare-with", EXAMPLE)
    drift = run.json["drift"]
    added = [d for d in drift["code_not_live"] if (d["protection"], d["subject"]) not in missing_live(same)]
    assert [(d["protection"], d["subject"]) for d in added] == [("WAFv2 web ACL association", "lb online-order")]
    assert added[0]["where"].endswith("tier1-compliant/waf.tf:127")
    assert drift["live_not_in_code"] == []
    table = cli("scan-aws", *BROKER, "--region", REGION, "--endpoint-url", moto.url, "--compare-with", EXAMPLE)
    assert "in code but not running: WAFv2 web ACL association on lb online-order" in table.out


def test_drift_against_a_cloudformation_template_or_cdk_assembly(cli, moto: MotoServer) -> None:
    """The declared side may be the CloudFormation or CDK twin of the example: the same drift as against Terraform."""
    def rows(drift: dict) -> dict[str, list[tuple[str, str]]]:
        sides = ("code_not_live", "live_not_in_code")
        return {side: sorted((d["protection"], d["subject"]) for d in drift[side]) for side in sides}

    terraform = rows(scan_aws(cli, moto.url, "--compare-with", EXAMPLE).json["drift"])
    for declared in (REPO / "iac_examples" / "cloudformation" / "tier1-compliant",
                     REPO / "iac_examples" / "cdk" / "tier1-compliant" / "cdk.out"):
        drift = scan_aws(cli, moto.url, "--compare-with", declared).json["drift"]
        assert drift["compared_with"] == str(declared)
        assert rows(drift) == terraform


def test_detection_logging_and_backup_resources_in_terraform_shape(moto: MotoServer, account: Account) -> None:
    from brokerguard.providers.aws.build import read_account

    seed_detection(account)
    account.client("s3").put_bucket_cors(Bucket="example-securities-reports", CORSConfiguration={"CORSRules": [
        {"AllowedMethods": ["PUT"], "AllowedOrigins": ["https://www.example-securities.com.tw"]}]})
    source = read_account([REGION], endpoint_url=moto.url)
    by_type: dict[str, list] = {}
    for r in source.resources:
        by_type.setdefault(r.type, []).append(r)
    detector = by_type["aws_guardduty_detector"][0]
    assert detector.values["enable"] is True and detector.source_id.endswith(f"detector/{account.ids['detector']}")
    trail = by_type["aws_cloudtrail"][0]
    assert (trail.values["enable_logging"], trail.values["is_multi_region_trail"]) == (True, True)
    assert "aws_s3_bucket.example_securities_trail" in trail.references
    flow = by_type["aws_flow_log"][0]
    assert _address("aws_vpc", account.ids["vpc"]) in flow.references and flow.values["traffic_type"] == "ALL"
    assert by_type["aws_cloudwatch_log_group"][0].values["retention_in_days"] == 1096
    assert by_type["aws_s3_bucket_public_access_block"][0].values["block_public_policy"] is True
    assert by_type["aws_s3_bucket_lifecycle_configuration"][0].values["rule"][0]["expiration"] == [{"days": 1096}]
    assert by_type["aws_backup_plan"][0].values["rule"][0]["lifecycle"] == [{"delete_after_days": 35}]
    assert by_type["aws_cloudwatch_event_target"][0].references == {"aws_cloudwatch_event_rule.guardduty_findings"}
    assert by_type["aws_securityhub_account"][0].values["id"] == "123456789012"
    assert [r.values["name"] for r in by_type["aws_shield_protection"]] == ["online-order-alb"]
    stage_assoc = [r for r in by_type["aws_wafv2_web_acl_association"] if r.values["resource_arn"] == account.ids["stage_arn"]]
    assert len(stage_assoc) == 1 and any(a.startswith("aws_api_gateway_stage.") for a in stage_assoc[0].references)
    distribution = by_type["aws_cloudfront_distribution"][0]
    assert distribution.values["web_acl_id"] == account.ids["edge_acl_arn"]
    assert "aws_wafv2_web_acl.edge" in distribution.references  # the CLOUDFRONT-scope ACL, read from us-east-1
    rule = next(r for r in by_type["aws_wafv2_web_acl"] if r.values["scope"] == "REGIONAL").values["rule"][0]
    assert rule["statement"][0]["managed_rule_group_statement"][0]["name"] == "AWSManagedRulesCommonRuleSet"
    cors = by_type["aws_s3_bucket_cors_configuration"]  # a bucket taking uploads (TWB_STACK_022)
    assert [c.values["cors_rule"][0]["allowed_methods"] for c in cors] == [["PUT"]]
    assert cors[0].references == {"aws_s3_bucket.example_securities_reports"}
    # moto serves no Detective, no firewall policies, no backup selections, no enabled standards, no
    # malware protection plans, no SSM associations
    assert set(source.errors) >= {"aws_detective_graph", "aws_networkfirewall_firewall_policy",
                                  "aws_backup_selection", "aws_securityhub_standards_subscription",
                                  "aws_guardduty_malware_protection_plan", "aws_ssm_association"}


def _policy_actions() -> list[str]:
    text = (REPO / "docs" / "aws-permissions.md").read_text(encoding="utf-8")
    policy = json.loads(re.search(r"```json\n(.*?)```", text, re.S).group(1))
    assert policy["Version"] == "2012-10-17"
    actions = []
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow" and statement["Resource"] == "*"
        actions += statement["Action"]
    return actions


# IAM action names that differ from the API operation's name.
IAM_ACTION = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetBucketLifecycleConfiguration"): "s3:GetLifecycleConfiguration",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",  # signed as s3, the account's block
    ("s3", "GetBucketCors"): "s3:GetBucketCORS",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "GetBucketReplication"): "s3:GetReplicationConfiguration",
}


def _iam_action(prefix: str, operation: str) -> str:
    if prefix == "apigateway":  # API Gateway's management API is authorised by HTTP method
        return "apigateway:GET"
    return IAM_ACTION.get((prefix, operation), f"{prefix}:{operation}")


def test_documented_policy_allows_every_call_and_only_reads(moto: MotoServer, account: Account) -> None:
    from brokerguard.providers.aws.discover import discover

    seed_detection(account)
    calls: set[tuple[str, str]] = set()

    def record(client: object) -> None:
        model_ = client.meta.service_model  # type: ignore[attr-defined]
        prefix = "s3control" if model_.service_name == "s3control" else model_.signing_name
        client.meta.events.register("before-call", lambda model, **_: calls.add((prefix, model.name)))  # type: ignore[attr-defined]

    discover([REGION], endpoint_url=moto.url, on_client=record)
    assert len(calls) > 40
    allowed = _policy_actions()
    patterns = [re.compile(re.escape(a).replace(r"\*", ".*") + "$") for a in allowed]
    needed = {_iam_action(p, op) for p, op in calls if (p, op) != ("sts", "GetCallerIdentity")}
    assert sorted(a for a in needed if not any(p.match(a) for p in patterns)) == []
    # read-only: no action that could change anything
    assert not [a for a in allowed if not re.match(r"^[a-z0-9-]+:(Get|List|Describe)\w*\*?$|^apigateway:GET$", a)]


@pytest.mark.parametrize(("unread", "errors"), [
    ("aws_cloudfront_distribution", {"waf"}),  # CKV_TWB_004 reads distributions; nothing else does
    # a classified type (core systems could be one); malware scanning, backup and trail buckets read it too
    ("aws_s3_bucket", {"system-classification", "firewall", "antivirus", "bcp-drill", "threat-detection"}),
    ("aws_detective_graph", set()),  # no check of this catalog reads it
])
def test_only_controls_whose_checks_read_an_unread_type_are_error(unread: str, errors: set[str]) -> None:
    import dataclasses
    import datetime as dt

    from brokerguard.catalog import load_catalog
    from brokerguard.profile import load_profile
    from brokerguard.scan import open_source, scan_sources
    from conftest import FIXTURES

    catalog = load_catalog()
    source = open_source(FIXTURES / "terraform_plan" / "tier1-compliant.plan.json")
    source = dataclasses.replace(source, errors={unread: "test@ap-northeast-1: access denied (AccessDenied) on X"})
    result = scan_sources([source], load_profile(PROFILE, catalog, tier=2), dt.date(2024, 6, 30), catalog)
    statuses = {r.control.id: r.status.value for r in result.results}
    assert {c for c, s in statuses.items() if s == "error"} == errors
    assert {statuses[c] for c in INFRASTRUCTURE if c not in errors} == {"pass"}
    assert result.exit_code == (2 if errors else 0)
    assert result.unread == ((unread, "test@ap-northeast-1: access denied (AccessDenied) on X"),)


def test_a_stack_rule_that_does_not_say_what_it_reads_depends_on_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from brokerguard import registry
    from brokerguard.coverage import unjudged

    unread = {"aws_detective_graph": "detective@ap-northeast-1: access denied"}
    assert unjudged({"TWB_STACK_003"}, unread) == {}
    policies = registry.load().policies
    monkeypatch.setitem(policies, "TWB_STACK_003", dataclasses.replace(policies["TWB_STACK_003"], types=None))
    assert unjudged({"TWB_STACK_003"}, unread) == {"TWB_STACK_003": "detective@ap-northeast-1: access denied"}


def test_listings_are_read_to_the_last_page(moto: MotoServer) -> None:
    """moto pages DescribeLogGroups by 50, like AWS: 120 groups need three pages."""
    import boto3

    from brokerguard.providers.aws.build import read_account

    moto.reset()
    logs = boto3.client("logs", region_name=REGION, endpoint_url=moto.url)
    for i in range(120):
        logs.create_log_group(logGroupName=f"/firewall/{i:03d}")
    assert "nextToken" in logs.describe_log_groups()  # one call would miss some
    groups = [r for r in read_account([REGION], endpoint_url=moto.url).resources if r.type == "aws_cloudwatch_log_group"]
    assert sorted(r.values["name"] for r in groups) == [f"/firewall/{i:03d}" for i in range(120)]


def test_progress_is_shown_on_a_terminal_only(moto: MotoServer, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from brokerguard.providers.aws.discover import discover, services

    moto.reset()
    discover([REGION], endpoint_url=moto.url)
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    discover([REGION], endpoint_url=moto.url)
    err = capsys.readouterr().err
    assert f"{len(services())}/{len(services())} services read" in err


def test_regions_are_read_each_and_global_services_once(moto: MotoServer, account: Account) -> None:
    from brokerguard.providers.aws.build import read_account

    seed_detection(account)
    other = account.client("ec2", "ap-southeast-1")
    vpc = other.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    source = read_account([REGION, "ap-southeast-1"], endpoint_url=moto.url)
    files = {r.address: r.file for r in source.resources}
    assert files[_address("aws_vpc", vpc)] == "aws://ap-southeast-1/ec2.network"
    assert files[_address("aws_vpc", account.ids["vpc"])] == f"aws://{REGION}/ec2.network"
    for rtype in ("aws_s3_bucket", "aws_cloudfront_distribution", "aws_shield_protection"):
        found = [r for r in source.resources if r.type == rtype]
        assert len(found) == len({r.source_id for r in found}) >= 1, rtype  # read once, not once per region
    # each region's default VPC is there too, under its own address
    assert len([r for r in source.resources if r.type == "aws_vpc" and r.values["is_default"]]) == 2
    assert source.plan["planned_values"]["root_module"]["resources"][0]["provider_name"] == "registry.terraform.io/hashicorp/aws"


def test_drift_shows_guardduty_declared_but_disabled_live(cli, moto: MotoServer, account: Account) -> None:
    detector = account.client("guardduty").create_detector(Enable=False)["DetectorId"]
    gap = {"protection": "GuardDuty detector enabled", "subject": "(account)"}

    def code_not_live() -> list[dict]:
        drift = scan_aws(cli, moto.url, "--compare-with", EXAMPLE).json["drift"]
        return [{k: d[k] for k in gap} for d in drift["code_not_live"]]

    assert gap in code_not_live()  # the example declares GuardDuty (detection.tf)
    account.client("guardduty").update_detector(DetectorId=detector, Enable=True)
    assert gap not in code_not_live()


def _untagged_lambda_and_table(a: Account) -> None:
    create_function(a, "quotes-fn")
    a.client("dynamodb").create_table(TableName="orders", BillingMode="PAY_PER_REQUEST",
                                      KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                      AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])


def test_untagged_lambda_function_and_dynamodb_table_fail_classification(cli, moto: MotoServer,
                                                                        account: Account) -> None:
    """Every classified type is read: a function or table nobody tagged is not a silent pass."""
    _untagged_lambda_and_table(account)
    run = scan_aws(cli, moto.url)
    assert run.control("system-classification")["status"] == "fail", run.out
    assert failed(run, "system-classification") == {("CKV_TWB_001", "aws_lambda_function.quotes_fn"),
                                                    ("CKV_TWB_001", "aws_dynamodb_table.orders")}
    findings = {f["resource"]: f for f in run.control("system-classification")["findings"]}
    assert findings["aws_lambda_function.quotes_fn"]["file"] == f"aws://{REGION}/lambda"
    assert findings["aws_dynamodb_table.orders"]["file"] == f"aws://{REGION}/dynamodb"
    # tagged like the rest of the system, both pass
    fn_arn = account.client("lambda").get_function(FunctionName="quotes-fn")["Configuration"]["FunctionArn"]
    account.client("lambda").tag_resource(Resource=fn_arn, Tags={**dict(CLASSIFIED), "twb:class": "non-core"})
    table = account.client("dynamodb").describe_table(TableName="orders")["Table"]["TableArn"]
    account.client("dynamodb").tag_resource(ResourceArn=table, Tags=[{"Key": k, "Value": v} for k, v in
                                                                     {**CLASSIFIED, "twb:class": "core"}.items()])
    run = scan_aws(cli, moto.url)
    assert run.control("system-classification")["status"] == "pass", run.out
    passed = {f["resource"] for f in run.control("system-classification")["findings"] if f["result"] == "passed"}
    assert {"aws_lambda_function.quotes_fn", "aws_dynamodb_table.orders"} <= passed


def test_core_auto_scaling_group_and_launch_template_are_judged_live(cli, moto: MotoServer, account: Account) -> None:
    """A core group in one subnet launching from a template that gives instances a public IP."""
    ec2 = account.client("ec2")
    template = ec2.create_launch_template(LaunchTemplateName="order-workers", LaunchTemplateData={
        "ImageId": "ami-12c6146b", "InstanceType": "m6i.large",
        "NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": True, "Groups": [account.ids["sg_order"]]}]},
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": _tags_core()}])["LaunchTemplate"]["LaunchTemplateId"]
    account.client("autoscaling").create_auto_scaling_group(
        AutoScalingGroupName="order-workers", MinSize=1, MaxSize=2, VPCZoneIdentifier=account.ids["private_a"],
        LaunchTemplate={"LaunchTemplateId": template, "Version": "$Latest"},
        Tags=[{"Key": t["Key"], "Value": t["Value"], "PropagateAtLaunch": True} for t in _tags_core()])
    run = scan_aws(cli, moto.url)
    assert ("CKV_TWB_002", _address("aws_launch_template", template)) in failed(run, "firewall")
    assert ("CKV_TWB_035", "aws_autoscaling_group.order_workers") in failed(run, "bcp-drill")
    # both are classified from their own tags (the group's through Terraform's `tag` blocks)
    passed = {f["resource"] for f in run.control("system-classification")["findings"] if f["result"] == "passed"}
    assert {_address("aws_launch_template", template), "aws_autoscaling_group.order_workers"} <= passed


def _tags_core() -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in {**CLASSIFIED, "twb:class": "core"}.items()]


def test_containers_clusters_and_caches_in_terraform_shape(moto: MotoServer, account: Account) -> None:
    from brokerguard.providers.aws.build import read_account

    ids = account.ids
    ecs = account.client("ecs")
    ecs.create_cluster(clusterName="trading")
    ecs.register_task_definition(family="order", containerDefinitions=[{"name": "order", "image": "order:1", "memory": 512}],
                                 networkMode="awsvpc")
    ecs.create_service(cluster="trading", serviceName="order", taskDefinition="order", desiredCount=1,
                       launchType="FARGATE", tags=[{"key": "twb:class", "value": "core"}],
                       networkConfiguration={"awsvpcConfiguration": {
                           "subnets": [ids["private_a"]], "securityGroups": [ids["sg_order"]], "assignPublicIp": "DISABLED"}})
    account.client("eks").create_cluster(name="risk", roleArn="arn:aws:iam::123456789012:role/eks", resourcesVpcConfig={
        "subnetIds": [ids["private_a"], ids["private_c"]], "securityGroupIds": [ids["sg_order"]]}, tags={"twb:class": "core"})
    cache = account.client("elasticache")
    cache.create_cache_subnet_group(CacheSubnetGroupName="sessions", CacheSubnetGroupDescription="sessions",
                                    SubnetIds=[ids["private_a"], ids["private_c"]])
    cache.create_replication_group(ReplicationGroupId="sessions", ReplicationGroupDescription="sessions",
                                   CacheNodeType="cache.t3.micro", Engine="redis", CacheSubnetGroupName="sessions",
                                   Tags=[{"Key": "twb:class", "Value": "core"}])
    source = read_account([REGION], endpoint_url=moto.url)
    by_type = {r.type: r for r in source.resources}
    # moto creates no member cache clusters, so the group's subnet group (read from them) stays unknown here
    assert by_type["aws_elasticache_replication_group"].tags == {"twb:class": "core"}
    assert {_address("aws_subnet", ids[s]) for s in ("private_a", "private_c")} <= \
        by_type["aws_elasticache_subnet_group"].references
    service = by_type["aws_ecs_service"]
    assert service.tags == {"twb:class": "core"} and service.file == f"aws://{REGION}/ecs"
    assert service.values["network_configuration"][0]["assign_public_ip"] is False
    assert {_address("aws_subnet", ids["private_a"]), _address("aws_security_group", ids["sg_order"])} <= service.references
    cluster = by_type["aws_eks_cluster"]
    assert cluster.tags == {"twb:class": "core"}
    assert {_address("aws_subnet", ids[s]) for s in ("private_a", "private_c")} <= cluster.references
    assert not [t for t in source.errors if t.startswith(("aws_ecs", "aws_eks", "aws_elasticache", "aws_lambda",
                                                           "aws_dynamodb", "aws_autoscaling", "aws_launch"))]


def test_graphql_api_without_web_acl_fails_waf_live(cli, moto: MotoServer, account: Account) -> None:
    api = account.client("appsync").create_graphql_api(name="quotes-graphql", authenticationType="API_KEY")["graphqlApi"]
    run = scan_aws(cli, moto.url)
    assert run.control("waf")["status"] == "fail"
    assert failed(run, "waf") == {("CKV2_TWB_003", _address("aws_appsync_graphql_api", api["apiId"]))}
    account.client("wafv2").associate_web_acl(WebACLArn=account.ids["acl_arn"], ResourceArn=api["arn"])
    run = scan_aws(cli, moto.url)
    assert run.control("waf")["status"] == "pass", run.out
    assert ("CKV2_TWB_003", _address("aws_appsync_graphql_api", api["apiId"])) in {
        (f["check_id"], f["resource"]) for f in run.control("waf")["findings"] if f["result"] == "passed"}


def test_every_check_reads_only_what_scan_aws_reads_or_is_error_live(moto: MotoServer) -> None:
    """Guard over the registry: a type a check reads that no reader of services.yaml yields or folds makes
    that check `error` in every live scan (an empty account here), never a pass on "nothing found"."""
    import datetime as dt

    from brokerguard import registry
    from brokerguard.catalog import load_catalog
    from brokerguard.profile import load_profile
    from brokerguard.providers.aws.build import read_account
    from brokerguard.providers.aws.discover import served_types
    from brokerguard.scan import scan_sources

    moto.reset()
    catalog = load_catalog()
    result = scan_sources([read_account([REGION], endpoint_url=moto.url)], load_profile(PROFILE, catalog, tier=1),
                          dt.date(2024, 6, 30), catalog)
    notes = [n for r in result.results for n in r.notes]
    reads = {cid: registry.load()[cid].types for cid in catalog.check_ids | catalog.stack_rule_ids}
    assert all(r is not None for r in reads.values())  # every check says what it reads
    blind = {cid: sorted(set(r) - served_types()) for cid, r in reads.items() if set(r) - served_types()}
    for cid, types in blind.items():
        assert any(n.startswith(f"{cid} could not be judged") and f"scan-aws does not read {types[0]}" in n
                   for n in notes), (cid, notes)
    # what scan-aws cannot judge today (docs/aws-permissions.md): a new check reading a new type shows here
    assert set(blind) == {"CKV2_TWB_030", "TWB_STACK_011", "TWB_STACK_013", "TWB_STACK_020", "TWB_STACK_030"}
    assert {u[0] for u in result.unread} >= {"aws_ses_domain_dkim", "aws_ssm_document", "aws_route53_record"}


@pytest.mark.parametrize(("targets", "covered"), [
    ([{"Key": "InstanceIds", "Values": ["i-0aaa"]}], True),  # the instance's id, as AWS reports it
    ([{"Key": "InstanceIds", "Values": ["i-0bbb"]}], False),  # another instance
    ([{"Key": "tag:role", "Values": ["order"]}], True),
])
def test_ssm_association_targeting_instance_ids_live_covers_those_instances(targets, covered: bool) -> None:
    """moto serves no ListAssociations: the reader is driven with the answer AWS gives."""
    from brokerguard.model import Stack
    from brokerguard.policies.stack_rules.TWB_STACK_021_ec2_malware_protection import rule
    from brokerguard.providers.aws.build import live_source
    from brokerguard.providers.aws.discover import Context, Discovery
    from brokerguard.providers.aws.live import LiveResource
    from brokerguard.providers.aws.readers_detect import read_ssm_associations

    class Ssm:
        def get_paginator(self, op: str):
            assert op == "list_associations"
            return type("P", (), {"paginate": lambda self, **kw: [{"Associations": [
                {"AssociationId": "a-1", "Name": "AWS-ConfigureAWSPackage", "Targets": targets}]}]})()

    ctx = Context(region=REGION, account="123456789012", clients=lambda service, region: Ssm(), found=[], primary=True)
    instance = LiveResource("aws_instance", "i-0aaa", REGION, "ec2.instances", {"id": "i-0aaa", "tags": {"role": "order"}})
    found = Discovery(account="123456789012", regions=(REGION,), resources=[instance, *read_ssm_associations(ctx)])
    findings = rule.evaluate(Stack(list(live_source(found, "aws:test").resources)))
    assert [(f.resource, f.passed) for f in findings] == [("aws_instance.i_0aaa", covered)]


CORE_TAGS = {**CLASSIFIED, "twb:class": "core"}


def _classic_elb(a: Account) -> None:
    a.client("elb").create_load_balancer(LoadBalancerName="classic", AvailabilityZones=[f"{REGION}a"], Listeners=[
        {"Protocol": "HTTP", "LoadBalancerPort": 80, "InstanceProtocol": "HTTP", "InstancePort": 80}],
        Tags=[{"Key": k, "Value": v} for k, v in CORE_TAGS.items()])


def _http_api(a: Account) -> None:
    a.client("apigatewayv2").create_api(Name="quotes-http", ProtocolType="HTTP")


def _open_function_url(a: Account) -> None:
    create_function(a, "open-url", CORE_TAGS)
    a.client("lambda").create_function_url_config(FunctionName="open-url", AuthType="NONE")


def _public_redshift(a: Account) -> None:
    a.client("redshift").create_cluster(ClusterIdentifier="analytics", NodeType="ra3.xlplus", MasterUsername="admin",
                                        MasterUserPassword="Passw0rd!", PubliclyAccessible=True,
                                        Tags=[{"Key": k, "Value": v} for k, v in CORE_TAGS.items()])


def _public_search(a: Account) -> None:
    a.client("opensearch").create_domain(DomainName="orders", TagList=[{"Key": k, "Value": v} for k, v in CORE_TAGS.items()])


def _world_readable_bucket(a: Account) -> None:
    s3 = a.client("s3")
    s3.create_bucket(Bucket="example-core-public", CreateBucketConfiguration={"LocationConstraint": REGION})
    tags = [{"Key": k, "Value": v} for k, v in CORE_TAGS.items()]
    s3.put_bucket_tagging(Bucket="example-core-public", Tagging={"TagSet": tags})
    s3.put_bucket_policy(Bucket="example-core-public", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-core-public/*"}]}))


def _public_broker(a: Account) -> None:
    a.client("mq").create_broker(BrokerName="orders", EngineType="ACTIVEMQ", EngineVersion="5.18",
                                 HostInstanceType="mq.t3.micro", DeploymentMode="SINGLE_INSTANCE", PubliclyAccessible=True,
                                 AutoMinorVersionUpgrade=True, Users=[{"Username": "orders", "Password": "Orders-Passw0rd!"}],
                                 Tags=CORE_TAGS)


def _public_replication(a: Account) -> None:
    a.client("dms").create_replication_instance(ReplicationInstanceIdentifier="migration",
                                                ReplicationInstanceClass="dms.t3.micro", PubliclyAccessible=True,
                                                Tags=[{"Key": k, "Value": v} for k, v in CORE_TAGS.items()])


def _waf_logs_drop_everything(a: Account) -> None:
    waf = a.client("wafv2")
    acl = waf.list_web_acls(Scope="REGIONAL")["WebACLs"][0]["ARN"]
    logging = waf.get_logging_configuration(ResourceArn=acl)["LoggingConfiguration"]
    waf.put_logging_configuration(LoggingConfiguration={**logging, "LoggingFilter": {"DefaultBehavior": "DROP", "Filters": [
        {"Behavior": "DROP", "Requirement": "MEETS_ANY", "Conditions": [{"ActionCondition": {"Action": "ALLOW"}}]}]}})


@pytest.mark.parametrize(("add", "control", "check", "resource"), [
    (_waf_logs_drop_everything, "waf", "TWB_STACK_015", "aws_wafv2_web_acl."),
    (_classic_elb, "waf", "TWB_STACK_014", "aws_elb.classic"),
    (_http_api, "waf", "TWB_STACK_014", "aws_apigatewayv2_api."),
    (_open_function_url, "waf", "TWB_STACK_014", "aws_lambda_function_url.open_url"),
    (_open_function_url, "firewall", "TWB_STACK_001", "aws_lambda_function.open_url"),
    (_public_redshift, "firewall", "TWB_STACK_001", "aws_redshift_cluster.analytics"),
    (_public_search, "firewall", "TWB_STACK_001", "aws_opensearch_domain.orders"),
    (_world_readable_bucket, "firewall", "TWB_STACK_001", "aws_s3_bucket.example_core_public"),
    (_public_broker, "firewall", "TWB_STACK_001", "aws_mq_broker.orders"),
    (_public_replication, "firewall", "TWB_STACK_001", "aws_dms_replication_instance.migration"),
], ids=["waf-logs-dropped", "classic-elb",
        "http-api", "function-url-waf", "function-url-isolation", "redshift", "opensearch", "s3-policy", "mq", "dms"])
def test_new_internet_entry_points_are_judged_live(cli, moto: MotoServer, account: Account, add, control: str,
                                                   check: str, resource: str) -> None:
    add(account)
    run = scan_aws(cli, moto.url)
    assert run.control(control)["status"] in ("fail", "error")
    assert any(c == check and r.startswith(resource) for c, r in failed(run, control)), failed(run, control)
    if control == "waf":  # judged live: nothing of the waf control is left unread
        assert run.control("waf")["status"] == "fail"


def test_account_public_access_block_is_read_live(cli, moto: MotoServer, account: Account) -> None:
    """The account's S3 block (s3control) makes a bucket's public policy not public; without it the bucket fails."""
    _world_readable_bucket(account)
    bucket = ("TWB_STACK_001", "aws_s3_bucket.example_core_public")
    assert bucket in failed(scan_aws(cli, moto.url), "firewall")
    account.client("s3control").put_public_access_block(AccountId="123456789012", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    run = scan_aws(cli, moto.url)
    found = {(f["check_id"], f["resource"]): f["result"] for f in run.control("firewall")["findings"]}
    assert found[bucket] == "passed", run.out


@pytest.mark.parametrize(("counted", "result"), [(None, "failed"), (["SizeRestrictions_BODY"], "passed")],
                         ids=["every-rule-counted", "one-rule-counted"])
def test_rule_group_counting_every_rule_fails_live(cli, moto: MotoServer, account: Account, counted, result: str) -> None:
    """A regional web ACL whose core rule set has rule_action_override count on every rule (or on one) live."""
    import yaml

    from brokerguard.policies.waf import MANAGED_RULES_PATH

    waf = account.client("wafv2")
    summary = waf.list_web_acls(Scope="REGIONAL")["WebACLs"][0]
    got = waf.get_web_acl(Name=summary["Name"], Scope="REGIONAL", Id=summary["Id"])
    acl = got["WebACL"]
    names = counted or yaml.safe_load(MANAGED_RULES_PATH.read_text())["groups"]["AWSManagedRulesCommonRuleSet"]
    common = next(r for r in acl["Rules"] if r["Statement"].get("ManagedRuleGroupStatement", {}).get("Name")
                  == "AWSManagedRulesCommonRuleSet")
    common["Statement"]["ManagedRuleGroupStatement"]["RuleActionOverrides"] = [
        {"Name": n, "ActionToUse": {"Count": {}}} for n in names]
    waf.update_web_acl(Name=acl["Name"], Scope="REGIONAL", Id=acl["Id"], DefaultAction=acl["DefaultAction"],
                       Rules=acl["Rules"], VisibilityConfig=acl["VisibilityConfig"], LockToken=got["LockToken"])
    run = scan_aws(cli, moto.url)
    found = {f["resource"]: f for f in run.control("waf")["findings"] if f["check_id"] == "TWB_STACK_015"}
    finding = found[f"aws_wafv2_web_acl.{acl['Name'].replace('-', '_')}"]
    assert finding["result"] == result, finding
    if result == "failed":
        assert "managed group AWSManagedRulesCommonRuleSet counts every request" in finding["message"]
        assert run.control("waf")["status"] == "fail"


def test_internet_gateway_edge_route_table_is_read_live(moto: MotoServer) -> None:
    """An edge association (a route table associated with the internet gateway) is read live, so the inbound
    path of TWB_STACK_003 is judged on what the account routes (moto lists no firewall policies, so the
    firewall control itself is `error` live)."""
    import boto3

    from brokerguard.model import Stack
    from brokerguard.policies.reachability import Reachability
    from brokerguard.providers.aws.build import read_account

    moto.reset()
    ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=moto.url, aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    vpc = ec2.create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.5.0.0/24")["Subnet"]["SubnetId"]
    edge = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=edge, GatewayId=igw)
    stack = Stack(list(read_account([REGION], endpoint_url=moto.url).resources))
    model = Reachability(stack)
    live_subnet = next(r for r in stack.of_type("aws_subnet") if r.values.get("id") == subnet)
    [gateway] = model.internet_gateways(live_subnet)
    assert gateway.values["id"] == igw
    assert [t.values["id"] for t in model.edge_tables(gateway)] == [edge]
    # only the local route: traffic from the gateway goes straight to the subnet
    assert model.inbound_routes(model.edge_tables(gateway)[0], live_subnet) == [("10.5.0.0/24", None, None)]
