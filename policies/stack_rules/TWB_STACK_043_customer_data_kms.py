from typing import Any

from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies.customer_data import STORE_TYPES, material_stores, unclassified_problem
from brokerguard.policies.stack_rule import StackRule, blocks, names

KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")


def _key_problem(stack: Stack, holder: Resource, key_attr: str, block: dict[str, Any] | None = None) -> str | None:
    """The customer-managed key ``holder.key_attr`` names is declared here and rotates; else what is wrong."""
    if not (block if block is not None else holder.values).get(key_attr) and not stack.referenced(holder, "aws_kms_key"):
        return f"{key_attr} is not set: an AWS-owned or AWS-managed key is not a key management of the firm's own"
    keys = [k for k in stack.of_type("aws_kms_key")
            if names(holder, key_attr, k, "arn", block) or names(holder, key_attr, k, "key_id", block)]
    if not keys:
        return f"{key_attr} names no aws_kms_key declared in this stack: its rotation cannot be judged"
    if keys[0].values.get("enable_key_rotation") not in (True, "true"):
        return f"{keys[0].address} does not rotate (enable_key_rotation is not true)"
    return None


def _s3_problem(stack: Stack, bucket: Resource) -> str:
    problems = []
    for conf in stack.of_type("aws_s3_bucket_server_side_encryption_configuration"):
        if not names(conf, "bucket", bucket, "bucket"):
            continue
        for rule in blocks(conf.values, "rule"):
            for default in blocks(rule, "apply_server_side_encryption_by_default"):
                if default.get("sse_algorithm") not in KMS_ALGORITHMS:
                    problems.append(f"{conf.address}: sse_algorithm {default.get('sse_algorithm')!r} is not aws:kms")
                    continue
                problem = _key_problem(stack, conf, "kms_master_key_id", default)
                if problem is None:
                    return ""
                problems.append(f"{conf.address}: {problem}")
    return "; ".join(problems) or "no aws_s3_bucket_server_side_encryption_configuration with a KMS key for this bucket"


def store_problem(stack: Stack, store: Resource) -> str:
    """What keeps a store from being encrypted under a rotating customer-managed key ("" when nothing)."""
    if store.type == "aws_s3_bucket":
        return _s3_problem(stack, store)
    if store.type == "aws_dynamodb_table":
        sse = blocks(store.values, "server_side_encryption")
        if not sse or sse[0].get("enabled") not in (True, "true"):
            return "server_side_encryption is not enabled with a customer-managed key"
        return _key_problem(stack, store, "kms_key_arn", sse[0]) or ""
    if store.values.get("storage_encrypted") not in (True, "true"):
        return "storage_encrypted is not true"
    return _key_problem(stack, store, "kms_key_id") or ""


class CustomerDataKms(StackRule):
    """CC-21000 customer-data encryption and key management (證券商作業委託他人處理應注意事項, 2023-08-31): every
    data store declares its data class (tag tag_keys.data_class; undeclared: "unclassified", fails), and each
    store of material natural-person customer data is encrypted with a customer-managed KMS key declared in
    the stack with rotation on (S3: server-side encryption configuration with aws:kms and kms_master_key_id;
    DynamoDB: server_side_encryption with kms_key_arn; RDS: storage_encrypted with kms_key_id).
    """

    id = "TWB_STACK_043"
    name = "Material customer-data stores are encrypted with rotating customer-managed KMS keys"
    control = "customer-data-encryption"
    fix = ("Tag every data store with its data class; encrypt material customer-data stores with an aws_kms_key "
           "declared in the stack with enable_key_rotation = true (S3 aws:kms with kms_master_key_id, DynamoDB "
           "server_side_encryption.kms_key_arn, RDS storage_encrypted with kms_key_id).")
    guideline = "docs/checks.md#twb_stack_043"
    reads = (*STORE_TYPES, "aws_s3_bucket_server_side_encryption_configuration", "aws_kms_key")

    def evaluate(self, stack: Stack) -> list[Finding]:
        findings = [self.finding(s, False, p) for s in stack.of_type(*STORE_TYPES)
                    if (p := unclassified_problem(s)) is not None]
        for store in material_stores(stack):
            problem = store_problem(stack, store)
            findings.append(self.finding(store, not problem, problem or "encrypted under a rotating customer-managed key"))
        return findings


rule = CustomerDataKms()
