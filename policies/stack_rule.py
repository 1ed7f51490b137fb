"""The base of a stack-level rule: one rule per file in policies/stack_rules/, like a Checkov check.

A stack rule sees every resource of the scan at once (``brokerguard.model.Stack``), so it can say
what Checkov cannot: "this stack must contain X", or follow a chain of references
(instance -> subnet -> route table -> internet gateway).
"""

from __future__ import annotations

from typing import Any

from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies.meta import OK, guideline, own_id, own_meta

STACK = "(stack)"


class StackRule:
    """A rule over the whole stack; its id is its file name's prefix, its metadata the ``.metadata.yaml``
    beside it."""

    def __init__(self) -> None:
        self.id = own_id(self)
        self.meta = own_meta(self)

    def evaluate(self, stack: Stack) -> list[Finding]:
        raise NotImplementedError

    def finding(self, resource: Resource | None, passed: bool, message: str = OK) -> Finding:
        return Finding(
            check_id=self.id, check_name=self.meta.name,
            resource=resource.address if resource else STACK,
            file=resource.file if resource else "", line=resource.line if resource else 0,
            passed=passed, message=message, guideline=guideline(self.id), attestable=self.meta.attestable,
            fix=self.meta.fix, severity=self.meta.severity,
        )


def blocks(values: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """A nested block or map as a list of dicts, whether the source gave one dict or a list."""
    raw = values.get(key)
    if isinstance(raw, dict):
        return [raw]
    if isinstance(raw, list):
        return [b for b in raw if isinstance(b, dict)]
    return []


def as_list(raw: Any) -> list[Any]:
    if raw is None:
        return []
    return raw if isinstance(raw, list) else [raw]


def names(a: Resource, key: str, b: Resource, b_key: str, block: dict[str, Any] | None = None) -> bool:
    """Whether ``a.key`` designates ``b``: by reference, or by the literal value such a reference resolved to.

    Checkov resolves ``aws_s3_bucket.x.bucket`` to the bucket's name when that is a literal, and the
    reference is then gone; a value a plan does not know yet is designated by its references alone.
    ``block`` is a nested block of ``a`` that holds ``key``.
    """
    given = as_list((a.values if block is None else block).get(key))
    if not given:
        return b.address in a.references
    wanted = b.values.get(b_key)
    for v in map(str, given):
        if wanted is not None and v == str(wanted):
            return True
        # References inside a module are relative to it: compare by type and name.
        if f"{b.type}.{b.name}." in f"{v}." and b.address in a.references:
            return True
    return False
