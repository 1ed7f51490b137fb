"""Who logs in and which keys protect data: Cognito user pools, customer-managed KMS keys."""

from __future__ import annotations

from collections.abc import Iterator

from brokerguard.providers.aws.discover import Context, pages
from brokerguard.providers.aws.live import LiveResource, with_tags


def read_cognito(ctx: Context) -> Iterator[LiveResource]:
    idp = ctx.client("cognito-idp")
    for summary in pages(idp, "list_user_pools", "UserPools", MaxResults=60):
        pool = idp.describe_user_pool(UserPoolId=summary["Id"])["UserPool"]
        arn = pool.get("Arn", "")
        yield LiveResource("aws_cognito_user_pool", pool["Id"], ctx.region, "cognito", with_tags({
            "id": pool["Id"], "arn": arn, "name": pool.get("Name", ""),
            # OFF, ON or OPTIONAL, as in Terraform
            "mfa_configuration": pool.get("MfaConfiguration", "OFF"),
        }, pool.get("UserPoolTags", {})), arn=arn)


def read_kms(ctx: Context) -> Iterator[LiveResource]:
    kms = ctx.client("kms")
    for key in pages(kms, "list_keys", "Keys"):
        meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
        if meta.get("KeyManager") != "CUSTOMER" or meta.get("KeyState") == "PendingDeletion":
            continue  # AWS-managed keys are not a key management of the firm's own
        rotation = kms.get_key_rotation_status(KeyId=key["KeyId"]).get("KeyRotationEnabled", False)
        tags = list(pages(kms, "list_resource_tags", "Tags", KeyId=key["KeyId"]))
        yield LiveResource("aws_kms_key", key["KeyId"], ctx.region, "kms", with_tags({
            "id": key["KeyId"], "key_id": key["KeyId"], "arn": meta["Arn"], "enable_key_rotation": rotation,
        }, [{"Key": t["TagKey"], "Value": t["TagValue"]} for t in tags]), arn=meta["Arn"])


READERS = {"cognito": read_cognito, "kms": read_kms}
