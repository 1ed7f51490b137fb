"""scan-aws by the 2023-2024 guidelines against a real moto_server: trading-login MFA, customer-data
encryption and location read live, and DDoS `error` while Global Accelerator cannot be read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aws_server import CLASSIFIED, FAKE_ENV, REGION, Account, MotoServer, seed_compliant

BOTH = "twse-tiers-2021,twse-guidelines-2024"


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
def profile(tmp_path: Path) -> Path:
    # The moto account lives in REGION: allowed here, so that the rule is judged on what moto serves.
    path = tmp_path / "broker.yaml"
    path.write_text("tier: 1\nfacts: {appoints_ciso: true, online_ordering: true, official_website: true, "
                    "external_facing_systems: true, electronic_trading_login: true, cloud_outsourcing: true}\n"
                    f"settings: {{allowed_data_regions: [{REGION}]}}\n", encoding="utf-8")
    return path


@pytest.fixture
def account(moto: MotoServer) -> Account:
    """The tier-1 account, every store declaring its data class, plus a trading user pool with MFA ON and a
    material customer-accounts bucket encrypted under a rotating customer-managed key."""
    moto.reset()
    a = seed_compliant(moto.url)
    s3, rds = a.client("s3"), a.client("rds")
    for bucket in s3.list_buckets()["Buckets"]:
        tags = s3.get_bucket_tagging(Bucket=bucket["Name"])["TagSet"]
        s3.put_bucket_tagging(Bucket=bucket["Name"], Tagging={"TagSet": [*tags, {"Key": "twb:data-class", "Value": "other"}]})
    for db in rds.describe_db_instances()["DBInstances"]:
        rds.add_tags_to_resource(ResourceName=db["DBInstanceArn"], Tags=[{"Key": "twb:data-class", "Value": "other"}])
    kms = a.client("kms")
    key = kms.create_key(Description="customer data")["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    a.ids["key"] = key["KeyId"]
    s3.create_bucket(Bucket="customer-accounts", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_tagging(Bucket="customer-accounts", Tagging={"TagSet": [
        {"Key": k, "Value": v} for k, v in {**CLASSIFIED, "twb:class": "core",
                                            "twb:data-class": "material-natural-person"}.items()]})
    s3.put_bucket_encryption(Bucket="customer-accounts", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key["Arn"]}}]})
    idp = a.client("cognito-idp")
    pool = idp.create_user_pool(PoolName="online-trading-customers",
                                UserPoolTags={"twb:trading-login": "true"})["UserPool"]
    idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], SoftwareTokenMfaConfiguration={"Enabled": True},
                                 MfaConfiguration="ON")
    a.ids["pool"] = pool["Id"]
    a.client("shield", "us-east-1").create_protection(Name="online-order-alb", ResourceArn=a.ids["lb_arn"])
    return a


def scan_aws(cli, url: str, profile: Path):
    return cli("scan-aws", "--profile", profile, "--as-of", "2025-06-30", "--region", REGION, "--endpoint-url", url,
               "--format", "json", "--rule-set", BOTH)


def problems(run, control: str) -> dict[str, str]:
    return {f["resource"]: f["message"] for f in run.control(control)["findings"] if f["result"] == "failed"}


def test_compliant_account_passes_the_new_controls_live(cli, moto: MotoServer, account: Account, profile: Path) -> None:
    run = scan_aws(cli, moto.url, profile)
    assert [r["id"] for r in run.json["rule_sets"]] == BOTH.split(",")
    assert run.control("etrading-mfa")["status"] == "pass", run.control("etrading-mfa")
    assert run.control("customer-data-encryption")["status"] == "pass", run.control("customer-data-encryption")["notes"]
    location = run.control("customer-data-location")
    assert location["status"] == "pass", (problems(run, "customer-data-location"), location["notes"])
    assert [f["resource"] for f in location["findings"] if f["result"] == "passed"] == ["aws_s3_bucket.customer_accounts"]
    # moto serves no Global Accelerator: an accelerator could be an unprotected entry point, so no pass.
    ddos = run.control("ddos-protection")
    assert ddos["status"] == "error" and any("globalaccelerator" in n and "ListAccelerators" in n for n in ddos["notes"])
    assert {(f["resource"], f["result"]) for f in ddos["findings"]} == {("aws_lb.online_order", "passed")}


def test_optional_mfa_unrotated_key_and_a_replica_abroad_fail_live(cli, moto: MotoServer, account: Account,
                                                                    profile: Path) -> None:
    a = account
    a.client("cognito-idp").set_user_pool_mfa_config(UserPoolId=a.ids["pool"], MfaConfiguration="OPTIONAL",
                                                      SoftwareTokenMfaConfiguration={"Enabled": True})
    a.client("kms").disable_key_rotation(KeyId=a.ids["key"])
    s3 = a.client("s3")
    a.client("s3", "us-west-2").create_bucket(Bucket="customer-accounts-dr",
                                              CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    s3.put_bucket_tagging(Bucket="customer-accounts-dr", Tagging={"TagSet": [{"Key": "twb:data-class", "Value": "other"}]})
    for bucket in ("customer-accounts", "customer-accounts-dr"):
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(Bucket="customer-accounts", ReplicationConfiguration={
        "Role": "arn:aws:iam::123456789012:role/replication",
        "Rules": [{"ID": "dr", "Status": "Enabled", "Prefix": "",
                   "Destination": {"Bucket": "arn:aws:s3:::customer-accounts-dr"}}]})
    zone = a.client("route53").create_hosted_zone(Name="example.com.tw", CallerReference="public")["HostedZone"]
    run = scan_aws(cli, moto.url, profile)
    # A public hosted zone without Shield Advanced: not shown protected (a scrubbing service may exist).
    zone_id = zone["Id"].rsplit("/", 1)[-1]
    assert "no aws_shield_protection covers it" in next(m for r, m in problems(run, "ddos-protection").items()
                                                        if zone_id.lower() in r.lower())
    assert run.control("etrading-mfa")["status"] == "fail"
    assert "OPTIONAL" in next(iter(problems(run, "etrading-mfa").values()))
    assert run.control("customer-data-encryption")["status"] == "fail"
    assert "does not rotate" in problems(run, "customer-data-encryption")["aws_s3_bucket.customer_accounts"]
    assert run.control("customer-data-location")["status"] == "fail"
    assert "in us-west-2" in problems(run, "customer-data-location")["aws_s3_bucket.customer_accounts"]
