"""Reading a resource the way the checks need it: values, effective tags, classification.

Checkov hands a Python check the resource's configuration with every value wrapped in a
one-element list; a Terraform plan and an HCL file give the same shape. Provider
``default_tags`` are not part of that configuration, so brokerguard sets them here for
the duration of a scan (plain ``checkov`` runs see only the resource's own ``tags`` and,
in a plan, ``tags_all``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

DEFAULT_TAG_KEYS: dict[str, str] = {
    "system": "twb:system",
    "class": "twb:class",
    "confidentiality": "twb:confidentiality",
    "integrity": "twb:integrity",
    "availability": "twb:availability",
    "legal_compliance": "twb:legal-compliance",
}
CLASS_VALUES = ("core", "non-core")
LEVEL_VALUES = ("high", "medium", "low")
LEVEL_KEYS = ("confidentiality", "integrity", "availability", "legal_compliance")

# Compute and data resources that make up an information system and so must be classified.
CLASSIFIED_TYPES = (
    "aws_instance", "aws_launch_template", "aws_autoscaling_group", "aws_db_instance",
    "aws_rds_cluster", "aws_ecs_service", "aws_eks_cluster", "aws_lambda_function",
    "aws_s3_bucket", "aws_lb", "aws_alb", "aws_elasticache_replication_group", "aws_dynamodb_table",
)

_scan: dict[str, Any] = {"tag_keys": DEFAULT_TAG_KEYS, "provider_tags": {}}


@contextlib.contextmanager
def scan_context(tag_keys: Mapping[str, str]) -> Iterator[None]:
    """Tag keys of the broker profile for one scan; provider tags are cleared when it ends."""
    previous = dict(_scan)
    _scan.update(tag_keys=dict(tag_keys), provider_tags={})
    try:
        yield
    finally:
        _scan.update(previous)


def set_provider_tags(provider_tags: Mapping[str, Mapping[str, str]]) -> None:
    """Default tags per provider address, once the scan has parsed the provider blocks."""
    _scan["provider_tags"] = {k: dict(v) for k, v in provider_tags.items()}


def tag_keys() -> dict[str, str]:
    return dict(_scan["tag_keys"])


def value(conf: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """One attribute with Checkov's list wrapping removed."""
    raw = conf.get(key, default)
    if isinstance(raw, list) and len(raw) == 1:
        return raw[0]
    return raw


def _tag_dict(raw: Any) -> dict[str, str]:
    if isinstance(raw, list):
        raw = raw[0] if len(raw) == 1 else {}
    if not isinstance(raw, dict):
        return {}
    return {str(k): "" if v is None else str(v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in raw.items()}


def effective_tags(conf: Mapping[str, Any]) -> dict[str, str]:
    """Provider default tags, then ``tags_all`` (plans), then the resource's own ``tags``.

    An aws_autoscaling_group tags instances through ``tag`` blocks with ``propagate_at_launch``.
    """
    # Resources inside modules carry an empty provider address: they inherit the default provider.
    provider = conf.get("__provider_address__") or "aws.default"
    tags = dict(_scan["provider_tags"].get(provider, {}))
    tags.update(_tag_dict(conf.get("tags_all")))
    tags.update(_tag_dict(conf.get("tags")))
    for block in conf.get("tag") or []:
        if isinstance(block, dict) and "key" in block:
            tags[str(value(block, "key"))] = str(value(block, "value", ""))
    return tags


def classification_problems(tags: Mapping[str, str]) -> list[str]:
    """What is missing or wrong in a resource's classification tags (empty when complete)."""
    keys = _scan["tag_keys"]
    problems = []
    if not tags.get(keys["system"], "").strip():
        problems.append(f"missing tag {keys['system']!r} (information system name)")
    cls = tags.get(keys["class"], "").strip().lower()
    if cls not in CLASS_VALUES:
        problems.append(f"tag {keys['class']!r} must be core or non-core, got {tags.get(keys['class'])!r}")
    for level in LEVEL_KEYS:
        got = tags.get(keys[level], "").strip().lower()
        if got not in LEVEL_VALUES:
            problems.append(f"tag {keys[level]!r} must be high, medium or low, got {tags.get(keys[level])!r}")
    return problems


def is_core(tags: Mapping[str, str]) -> bool:
    return tags.get(_scan["tag_keys"]["class"], "").strip().lower() == "core"
