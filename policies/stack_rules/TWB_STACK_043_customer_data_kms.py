from typing import Any

from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies.customer_data import STORE_TYPES, material_stores, unclassified_problem
from brokerguard.policies.meta import Text
from brokerguard.policies.stack_rule import StackRule, blocks, names

KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")


def _key_problem(stack: Stack, holder: Resource, key_attr: str, block: dict[str, Any] | None = None) -> Text | None:
    """The customer-managed key ``holder.key_attr`` names is declared here and rotates; else what is wrong."""
    if not (block if block is not None else holder.values).get(key_attr) and not stack.referenced(holder, "aws_kms_key"):
        return Text(f"{key_attr} is not set: an AWS-owned or AWS-managed key is not a key management of the firm's own",
                    f"未設定 {key_attr}：AWS 擁有或 AWS 管理的金鑰不是公司自己的金鑰管理")
    keys = [k for k in stack.of_type("aws_kms_key")
            if names(holder, key_attr, k, "arn", block) or names(holder, key_attr, k, "key_id", block)]
    if not keys:
        return Text(f"{key_attr} names no aws_kms_key declared in this stack: its rotation cannot be judged",
                    f"{key_attr} 未指向此堆疊宣告的 aws_kms_key：無法判定其輪替")
    if keys[0].values.get("enable_key_rotation") not in (True, "true"):
        return Text(f"{keys[0].address} does not rotate (enable_key_rotation is not true)",
                    f"{keys[0].address} 未輪替（enable_key_rotation 不是 true）")
    return None


def _s3_problem(stack: Stack, bucket: Resource) -> Text | str:
    problems = []
    for conf in stack.of_type("aws_s3_bucket_server_side_encryption_configuration"):
        if not names(conf, "bucket", bucket, "bucket"):
            continue
        for rule in blocks(conf.values, "rule"):
            for default in blocks(rule, "apply_server_side_encryption_by_default"):
                if default.get("sse_algorithm") not in KMS_ALGORITHMS:
                    algorithm = default.get("sse_algorithm")
                    problems.append(Text(f"{conf.address}: sse_algorithm {algorithm!r} is not aws:kms",
                                         f"{conf.address}：sse_algorithm {algorithm!r} 不是 aws:kms"))
                    continue
                problem = _key_problem(stack, conf, "kms_master_key_id", default)
                if problem is None:
                    return ""
                problems.append(Text(f"{conf.address}: {problem}", f"{conf.address}：{problem.zh}"))
    return Text.join("; ", problems) or Text("no aws_s3_bucket_server_side_encryption_configuration with a KMS key "
                                             "for this bucket", "此儲存貯體沒有指定 KMS 金鑰的伺服器端加密設定")


def store_problem(stack: Stack, store: Resource) -> Text | str:
    """What keeps a store from being encrypted under a rotating customer-managed key ("" when nothing)."""
    if store.type == "aws_s3_bucket":
        return _s3_problem(stack, store)
    if store.type == "aws_dynamodb_table":
        sse = blocks(store.values, "server_side_encryption")
        if not sse or sse[0].get("enabled") not in (True, "true"):
            return Text("server_side_encryption is not enabled with a customer-managed key",
                        "server_side_encryption 未以客戶自管金鑰啟用")
        return _key_problem(stack, store, "kms_key_arn", sse[0]) or ""
    if store.values.get("storage_encrypted") not in (True, "true"):
        return Text("storage_encrypted is not true", "storage_encrypted 不是 true")
    return _key_problem(stack, store, "kms_key_id") or ""


class CustomerDataKms(StackRule):
    def evaluate(self, stack: Stack) -> list[Finding]:
        findings = [self.finding(s, False, p) for s in stack.of_type(*STORE_TYPES)
                    if (p := unclassified_problem(s)) is not None]
        for store in material_stores(stack):
            problem = store_problem(stack, store)
            findings.append(self.finding(store, not problem, problem or Text(
                "encrypted under a rotating customer-managed key", "以輪替的客戶自管金鑰加密")))
        return findings


rule = CustomerDataKms()
