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

from brokerguard.policies.meta import Text

DEFAULT_TAG_KEYS: dict[str, str] = {
    "system": "twb:system",
    "class": "twb:class",
    "confidentiality": "twb:confidentiality",
    "integrity": "twb:integrity",
    "availability": "twb:availability",
    "legal_compliance": "twb:legal-compliance",
    # The data a store holds (DATA_CLASSES): customer-data location and encryption judge the material ones.
    "data_class": "twb:data-class",
    # "true" on a Cognito user pool through which customers log in for electronic trading.
    "trading_login": "twb:trading-login",
}
CLASS_VALUES = ("core", "non-core")
# Customer data of a material natural-person business system (重大性自然人客戶業務資訊系統), or anything else.
MATERIAL_DATA, OTHER_DATA = "material-natural-person", "other"
DATA_CLASSES = (MATERIAL_DATA, OTHER_DATA)
LEVEL_VALUES = ("high", "medium", "low")
LEVEL_KEYS = ("confidentiality", "integrity", "availability", "legal_compliance")

# Compute and data resources that make up an information system and so must be classified.
CLASSIFIED_TYPES = (
    "aws_instance", "aws_launch_template", "aws_autoscaling_group", "aws_db_instance",
    "aws_rds_cluster", "aws_ecs_service", "aws_eks_cluster", "aws_lambda_function",
    "aws_s3_bucket", "aws_lb", "aws_alb", "aws_elasticache_replication_group", "aws_dynamodb_table",
    # data stores and entry points that can be public on their own (issue 14)
    "aws_redshift_cluster", "aws_opensearch_domain", "aws_elasticsearch_domain", "aws_elb",
    "aws_mq_broker", "aws_dms_replication_instance",
)

# What a broker may adapt to its estate in the profile's `settings:` (docs/profile.md); a value's
# type is its default's type, and an unknown key is an error.
DEFAULT_SETTINGS: dict[str, Any] = {
    "firewall_admin_tag": "twb:firewall-admin",  # tag naming the firewall's administrator
    "rto_tag": "twb:rto",  # tag declaring a core system's tolerable outage time
    # WAF rule groups accepted as covering the OWASP Top 10 (vendor groups may be added)
    "waf_owasp_rule_groups": [
        "AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
    ],
    # SSM documents that install an endpoint protection agent
    "endpoint_agent_documents": ["AWS-ConfigureAWSPackage"],
    "backup_retention_days": 7,  # core databases keep backups at least this long
    # Cognito user pools (name or address) through which customers log in for electronic trading, besides
    # those tagged with tag_keys.trading_login
    "trading_user_pools": [],
    # Regions where material customer data and its copies may be: AWS Asia Pacific (Taipei). Written here,
    # not taken from botocore, whose region list (as pinned by Checkov) does not have it yet.
    "allowed_data_regions": ["ap-east-2"],
    # isolation rules treat a system whose classification is missing as core until it is classified
    "isolate_unclassified": True,
}

_scan: dict[str, Any] = {"tag_keys": DEFAULT_TAG_KEYS, "settings": DEFAULT_SETTINGS, "provider_tags": {}}


@contextlib.contextmanager
def scan_context(tag_keys: Mapping[str, str], settings: Mapping[str, Any] | None = None) -> Iterator[None]:
    """Tag keys and settings of the broker profile for one scan; provider tags are cleared when it ends."""
    previous = dict(_scan)
    _scan.update(tag_keys=dict(tag_keys), settings={**DEFAULT_SETTINGS, **(settings or {})}, provider_tags={})
    try:
        yield
    finally:
        _scan.update(previous)


def setting(name: str) -> Any:
    """One profile setting (its default when the profile does not set it)."""
    return _scan["settings"][name]


def set_provider_tags(provider_tags: Mapping[str, Mapping[str, str]]) -> None:
    """Default tags per provider address, once the scan has parsed the provider blocks."""
    _scan["provider_tags"] = {k: dict(v) for k, v in provider_tags.items()}


def tag_keys() -> dict[str, str]:
    return dict(_scan["tag_keys"])


def judged_with() -> dict[str, Any]:
    """Everything of the profile the checks read (tag keys and settings): part of a cached finding's key."""
    return {"tag_keys": dict(_scan["tag_keys"]), "settings": dict(_scan["settings"])}


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


def classification_problems(tags: Mapping[str, str]) -> list[Text]:
    """What is missing or wrong in a resource's classification tags (empty when complete)."""
    keys = _scan["tag_keys"]
    problems = []
    if not tags.get(keys["system"], "").strip():
        problems.append(Text(f"missing tag {keys['system']!r} (information system name)",
                             f"缺少標籤 {keys['system']!r}（資訊系統名稱）"))
    cls = tags.get(keys["class"], "").strip().lower()
    if cls not in CLASS_VALUES:
        problems.append(Text(f"tag {keys['class']!r} must be core or non-core, got {tags.get(keys['class'])!r}",
                             f"標籤 {keys['class']!r} 須為 core 或 non-core，實際為 {tags.get(keys['class'])!r}"))
    for level in LEVEL_KEYS:
        got = tags.get(keys[level], "").strip().lower()
        if got not in LEVEL_VALUES:
            problems.append(Text(f"tag {keys[level]!r} must be high, medium or low, got {tags.get(keys[level])!r}",
                                 f"標籤 {keys[level]!r} 須為 high、medium 或 low，實際為 {tags.get(keys[level])!r}"))
    return problems


def data_class(tags: Mapping[str, str]) -> str | None:
    """The store's declared data class, or None when it is missing or not one of DATA_CLASSES."""
    got = tags.get(_scan["tag_keys"]["data_class"], "").strip().lower()
    return got if got in DATA_CLASSES else None
def class_of(tags: Mapping[str, str]) -> str | None:
    """core or non-core, or None when the class tag is missing or not one of them."""
    cls = tags.get(_scan["tag_keys"]["class"], "").strip().lower()
    return cls if cls in CLASS_VALUES else None


def is_core(tags: Mapping[str, str]) -> bool:
    return class_of(tags) == "core"
