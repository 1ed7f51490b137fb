"""Stores of customer data and their copies: which hold material natural-person customer data (declared by
the data-class tag), where each store and copy lives, and which key encrypts it."""

from __future__ import annotations

from collections.abc import Iterator

from brokerguard.model import Resource, Stack
from brokerguard.policies.meta import Text
from brokerguard.policies.resource_conf import MATERIAL_DATA, data_class, tag_keys
from brokerguard.policies.stack_rule import as_list, blocks, names

STORE_TYPES = ("aws_s3_bucket", "aws_dynamodb_table", "aws_db_instance", "aws_rds_cluster")
COPY_TYPES = ("aws_s3_bucket_replication_configuration", "aws_dynamodb_table_replica", "aws_backup_selection",
              "aws_backup_plan", "aws_backup_vault")


def unclassified_problem(store: Resource) -> Text | None:
    if data_class(store.tags) is None:
        key, got = tag_keys()["data_class"], store.tags.get(tag_keys()["data_class"])
        return Text(f"unclassified: tag {key!r} must be material-natural-person or other, got {got!r}; "
                    f"a store whose data class is not declared cannot pass",
                    f"未分類：標籤 {key!r} 須為 material-natural-person 或 other，實際為 {got!r}；"
                    f"未宣告資料類別的儲存體不能通過")
    return None


def material_stores(stack: Stack) -> list[Resource]:
    return [s for s in stack.of_type(*STORE_TYPES) if data_class(s.tags) == MATERIAL_DATA]


def region_of(r: Resource) -> str | None:
    """Its own region attribute, the region of its ARN, or its provider's; None when the source does not say."""
    own = r.values.get("region")
    if isinstance(own, str) and own:
        return own
    parts = str(r.values.get("arn") or "").split(":")
    if len(parts) > 3 and parts[0] == "arn" and parts[3]:
        return parts[3]
    return r.region


def arn_region(arn: object) -> str | None:
    parts = str(arn or "").split(":")
    return parts[3] if len(parts) > 3 and parts[0] == "arn" and parts[3] else None


def copies(stack: Stack, store: Resource) -> Iterator[tuple[str, str | None]]:
    """(what the copy is, its region or None when unknown) for every replica and backup copy of a store."""
    yield from _s3_replicas(stack, store)
    if store.type == "aws_dynamodb_table":
        for replica in blocks(store.values, "replica"):
            yield f"{store.address} replica", replica.get("region_name") or None
        for replica in stack.referrers(store, "aws_dynamodb_table_replica"):
            yield replica.address, region_of(replica)
    if store.type in ("aws_db_instance", "aws_rds_cluster"):
        # A live source lists its replicas: by ARN when in another region (read or not), else by identifier.
        for ident in store.values.get("read_replica_identifiers") or []:
            yield f"{store.address} replica {ident}", arn_region(ident) or region_of(store)
        for replica in stack.of_type(store.type):
            source = "replicate_source_db" if store.type == "aws_db_instance" else "replication_source_identifier"
            if replica is not store and (names(replica, source, store, "identifier") or
                                         names(replica, source, store, "arn")):
                yield replica.address, region_of(replica)
    yield from _backup_copies(stack, store)


def _s3_replicas(stack: Stack, store: Resource) -> Iterator[tuple[str, str | None]]:
    if store.type != "aws_s3_bucket":
        return
    for conf in stack.of_type("aws_s3_bucket_replication_configuration"):
        if not names(conf, "bucket", store, "bucket"):
            continue
        for rule in blocks(conf.values, "rule"):
            for dest in blocks(rule, "destination"):
                target = [b for b in stack.of_type("aws_s3_bucket") if names(conf, "bucket", b, "arn", dest)]
                # An S3 ARN names no region: only a destination declared in this stack says where it is.
                yield f"{conf.address} -> {dest.get('bucket')}", region_of(target[0]) if target else None


def _backup_copies(stack: Stack, store: Resource) -> Iterator[tuple[str, str | None]]:
    """Copy actions of the backup plans whose selection may cover the store: named by reference or ARN, or
    chosen by tags, conditions or a wildcard (an exposure counts when it may be)."""
    for selection in stack.of_type("aws_backup_selection"):
        resources = [str(r) for r in as_list(selection.values.get("resources"))]
        by_tags = (blocks(selection.values, "selection_tag") or blocks(selection.values, "condition")
                   or any("*" in r for r in resources))
        if not (by_tags or names(selection, "resources", store, "arn")):
            continue
        for plan in stack.referenced(selection, "aws_backup_plan"):
            for rule in blocks(plan.values, "rule"):
                for action in blocks(rule, "copy_action"):
                    vaults = [v for v in stack.of_type("aws_backup_vault")
                              if names(plan, "destination_vault_arn", v, "arn", action)]
                    region = region_of(vaults[0]) if vaults else arn_region(action.get("destination_vault_arn"))
                    yield f"{plan.address} copy to {action.get('destination_vault_arn')}", region
