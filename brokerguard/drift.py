"""Drift between what runs and what the code declares: protections present in one and absent in the other.

Resources are matched by what a person would recognise on both sides (a load balancer's name, a
bucket, a trail), never by cloud ids, which code does not know. A protection is one row of
PROTECTIONS: which resource type realises it, when it counts, and what it protects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from brokerguard.model import Resource, Stack

ACCOUNT = "(account)"


def _name(r: Resource) -> str:
    for key in ("name", "bucket", "identifier", "cluster_identifier", "stage_name", "rule_set_name", "cidr_block"):
        if isinstance(r.values.get(key), str) and r.values[key]:
            return r.values[key]
    return r.address


def _on(*types: str) -> Callable[[Stack, Resource], str]:
    """The protection's subject: the name of the resource of these types that it points at."""
    def subject(stack: Stack, r: Resource) -> str:
        found = stack.referenced(r, *types)
        return ", ".join(sorted(f"{t.type.replace('aws_', '')} {_name(t)}" for t in found)) or "(not in this stack)"
    return subject


def _account(stack: Stack, r: Resource) -> str:
    return ACCOUNT


def _own(stack: Stack, r: Resource) -> str:
    return _name(r)


def _not_false(key: str) -> Callable[[Resource], bool]:
    return lambda r: r.values.get(key) not in (False, "false")  # Terraform's default is on


@dataclass(frozen=True)
class Protection:
    name: str
    type: str
    subject: Callable[[Stack, Resource], str]
    counts: Callable[[Resource], bool] = lambda r: True


PROTECTIONS = (
    Protection("WAFv2 web ACL association", "aws_wafv2_web_acl_association",
               _on("aws_lb", "aws_alb", "aws_api_gateway_stage", "aws_appsync_graphql_api")),
    Protection("WAFv2 web ACL logging", "aws_wafv2_web_acl_logging_configuration", _on("aws_wafv2_web_acl")),
    Protection("CloudFront web ACL", "aws_cloudfront_distribution", _own, lambda r: bool(r.values.get("web_acl_id"))),
    Protection("Network Firewall", "aws_networkfirewall_firewall", _own),
    Protection("Network Firewall logging", "aws_networkfirewall_logging_configuration", _on("aws_networkfirewall_firewall")),
    Protection("GuardDuty detector enabled", "aws_guardduty_detector", _account, _not_false("enable")),
    Protection("Security Hub enabled", "aws_securityhub_account", _account),
    Protection("Detective graph", "aws_detective_graph", _account),
    Protection("CloudTrail trail logging", "aws_cloudtrail", _own, _not_false("enable_logging")),
    Protection("VPC flow log", "aws_flow_log", _on("aws_vpc", "aws_subnet")),
    Protection("Shield Advanced protection", "aws_shield_protection", _own),
    Protection("Backup plan", "aws_backup_plan", _own),
    Protection("EventBridge rule", "aws_cloudwatch_event_rule", _own, _not_false("is_enabled")),
    Protection("S3 public access block", "aws_s3_bucket_public_access_block", _on("aws_s3_bucket")),
    Protection("database not publicly accessible", "aws_db_instance", _own,
               lambda r: r.values.get("publicly_accessible") in (False, "false", None)),
)


@dataclass(frozen=True)
class Item:
    protection: str
    subject: str
    where: str  # file:line, or aws://region/service and the ARN


@dataclass(frozen=True)
class Drift:
    only_live: tuple[Item, ...]  # runs, but the code does not declare it (added by hand?)
    only_code: tuple[Item, ...]  # declared, but not running (removed or switched off by hand?)
    compared_with: str


def _protections(resources: list[Resource]) -> dict[tuple[str, str], str]:
    stack = Stack(resources)
    found: dict[tuple[str, str], str] = {}
    for p in PROTECTIONS:
        for r in stack.of_type(p.type):
            if p.counts(r):
                where = f"{r.file}:{r.line}" if r.line else f"{r.file} {r.source_id or r.address}"
                found.setdefault((p.name, p.subject(stack, r)), where)
    return found


def compare(live: list[Resource], code: list[Resource], compared_with: str) -> Drift:
    have, want = _protections(live), _protections(code)
    return Drift(
        only_live=tuple(Item(p, s, have[(p, s)]) for p, s in sorted(set(have) - set(want))),
        only_code=tuple(Item(p, s, want[(p, s)]) for p, s in sorted(set(want) - set(have))),
        compared_with=compared_with,
    )
