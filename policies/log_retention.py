"""How long a log destination keeps what it receives: a CloudWatch log group, an S3 bucket (its
lifecycle rules), or a Kinesis Data Firehose stream (the bucket it delivers to).

A destination the stack refers to by a name it does not declare (a central log-archive account)
cannot be judged here: the verdict says so, and evidence may stand in for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from brokerguard.model import Resource, Stack
from brokerguard.policies.meta import Text
from brokerguard.policies.resource_conf import value
from brokerguard.policies.stack_rule import blocks

MIN_DAYS = 1096  # three years (CloudWatch's retention choice for 3 years)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: Text
    outside: bool = False  # the destination is not declared in this stack


def _days(raw: Any) -> int | None:
    """A number of days, or None when it is not a literal number (an unresolved variable).

    Pulumi programs give numbers as floats (1827.0).
    """
    try:
        days = float(str(raw))
    except ValueError:
        return None
    return int(days) if days.is_integer() else None


def _declared(stack: Stack, owner: Resource, types: tuple[str, ...], key: str, text: str) -> Resource | None:
    """The resource a destination of ``owner`` names: by a reference left in the text (relative inside a
    module, so compared by type and name among what the owner refers to), or by its name attribute."""
    for r in stack.referenced(owner, *types):
        if f"{r.type}.{r.name}." in f"{text}.":
            return r
    return next((r for r in stack.of_type(*types) if text and str(r.values.get(key)) == text), None)


def log_group(stack: Stack, owner: Resource, name: str) -> Verdict:
    group = _declared(stack, owner, ("aws_cloudwatch_log_group",), "name", name)
    if group is None:
        return Verdict(False, Text(f"log group {name!r} is not declared in this stack",
                                   f"紀錄群組 {name!r} 未在此堆疊中宣告"), outside=True)
    raw = group.values.get("retention_in_days")
    days = 0 if raw is None else _days(raw)
    where = f"{group.address} ({group.file}:{group.line})"
    if days is None:
        return Verdict(False, Text(f"{where} retention_in_days {raw!r} cannot be read",
                                   f"{where} 的 retention_in_days {raw!r} 無法判讀"))
    if days == 0:  # unset or 0: never expire
        return Verdict(True, Text(f"{group.address} never expires logs", f"{group.address} 的紀錄永不過期"))
    if days >= MIN_DAYS:
        return Verdict(True, Text(f"{group.address} keeps logs {days} days", f"{group.address} 保留紀錄 {days} 天"))
    return Verdict(False, Text(f"{where} keeps logs only {days} days (at least {MIN_DAYS} needed)",
                               f"{where} 僅保留紀錄 {days} 天（至少需要 {MIN_DAYS} 天）"))


def _rule_prefix(rule: Mapping[str, Any]) -> str | None:
    """The key prefix a lifecycle rule applies to ('' for all), or None when it selects by tag only."""
    for f in blocks(rule, "filter"):
        if blocks(f, "tag") or any(blocks(a, "tags") or a.get("tags") for a in blocks(f, "and")):
            return None  # log objects carry no tags, so a tag filter never selects them
        prefix = value(f, "prefix") or next((value(a, "prefix") for a in blocks(f, "and")), None)
        return str(prefix or "")
    return str(value(rule, "prefix") or "")


def _expiry(rule: Mapping[str, Any], enabled: bool) -> Text | None:
    if not enabled:
        return None
    for exp in blocks(rule, "expiration"):
        days, date = value(exp, "days"), value(exp, "date")
        if days and _days(days) is None:
            return Text(f"expires objects after {days!r} days, which cannot be read",
                        f"於 {days!r} 天後過期（該值無法判讀）")
        if days and _days(days) < MIN_DAYS:
            return Text(f"expires objects after {days} days", f"於 {days} 天後過期")
        if date:
            return Text(f"expires objects on {date}", f"於 {date} 過期")
    return None


def _lifecycle_rules(stack: Stack, bucket: Resource) -> list[tuple[Resource, Mapping[str, Any], bool]]:
    found = [(bucket, r, value(r, "enabled") in (True, "true")) for r in blocks(bucket.values, "lifecycle_rule")]
    name = bucket.values.get("bucket")
    for conf in stack.of_type("aws_s3_bucket_lifecycle_configuration"):
        if bucket.address in conf.references or (name and conf.values.get("bucket") == name):
            found += [(conf, r, str(value(r, "status")) == "Enabled") for r in blocks(conf.values, "rule")]
    return found


def bucket(stack: Stack, owner: Resource, name: str, key_prefix: str) -> Verdict:
    """A bucket keeps objects under key_prefix at least MIN_DAYS unless a lifecycle rule expires them sooner."""
    found = _declared(stack, owner, ("aws_s3_bucket",), "bucket", name.removeprefix("arn:aws:s3:::"))
    if found is None:
        return Verdict(False, Text(f"bucket {name!r} is not declared in this stack",
                                   f"儲存貯體 {name!r} 未在此堆疊中宣告"), outside=True)
    for owner, rule, enabled in _lifecycle_rules(stack, found):
        prefix = _rule_prefix(rule)
        if prefix is None or not (key_prefix.startswith(prefix) or prefix.startswith(key_prefix)):
            continue
        expiry = _expiry(rule, enabled)
        if expiry:
            return Verdict(False, Text(f"{owner.address} ({owner.file}:{owner.line}) {expiry} under "
                                       f"{prefix or 'every prefix'} (at least {MIN_DAYS} days needed)",
                                       f"{owner.address}（{owner.file}:{owner.line}）使 {prefix or '所有前綴'} "
                                       f"下的物件{expiry.zh}（至少需要 {MIN_DAYS} 天）"))
    return Verdict(True, Text(f"{found.address} expires no logs sooner than {MIN_DAYS} days",
                              f"{found.address} 不會讓紀錄在 {MIN_DAYS} 天內過期"))


def firehose(stack: Stack, owner: Resource, name: str) -> Verdict:
    stream = _declared(stack, owner, ("aws_kinesis_firehose_delivery_stream",), "name", name)
    if stream is None:
        return Verdict(False, Text(f"delivery stream {name!r} is not declared in this stack",
                                   f"傳輸串流 {name!r} 未在此堆疊中宣告"), outside=True)
    destination = str(stream.values.get("destination"))
    s3 = next(iter(blocks(stream.values, "extended_s3_configuration")), None)
    if destination != "extended_s3" or s3 is None:
        return Verdict(False, Text(f"{stream.address} delivers to {destination}, whose retention is kept outside "
                                   "this stack",
                                   f"{stream.address} 傳送至 {destination}，其保留期限於此堆疊之外管理"), outside=True)
    return bucket(stack, stream, str(value(s3, "bucket_arn")), str(value(s3, "prefix") or ""))
