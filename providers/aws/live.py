"""What a reader hands back: one resource as AWS shows it, already in Terraform's vocabulary."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# A path into a resource's values: ("subnet_id",), ("route", 0, "gateway_id").
Path = tuple[str | int, ...]


@dataclass
class LiveResource:
    type: str  # Terraform type, e.g. aws_instance
    id: str  # what Terraform's `id` would be; also names the address
    region: str
    service: str  # the reader that found it (services.yaml)
    values: dict[str, Any]  # Terraform attribute names and block shapes
    arn: str | None = None
    # Values of this resource that point at another one: path -> (Terraform type, id / ARN / name).
    links: list[tuple[Path, str, str]] = field(default_factory=list)

    def link(self, path: Path | str, target_type: str, key: str | None) -> None:
        if key:
            self.links.append(((path,) if isinstance(path, str) else path, target_type, key))


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def blocks(value: Any) -> Any:
    """An API structure as Terraform blocks: snake_case keys, each nested object a one-element list."""
    if isinstance(value, dict):
        return {snake(k): [blocks(v)] if isinstance(v, dict) else blocks(v) for k, v in value.items()}
    if isinstance(value, list):
        return [blocks(v) for v in value]
    return value


def tag_map(tags: Any) -> dict[str, str]:
    """[{Key, Value}] (most services), [{key, value}] or a plain map -> one dict."""
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    out = {}
    for t in tags or []:
        key = t.get("Key", t.get("key"))
        if key is not None:
            out[str(key)] = str(t.get("Value", t.get("value", "")))
    return out


def subnet_group(rtype: str, name: str, region: str, service: str, group: dict[str, Any],
                 values: dict[str, Any], arn: str | None = None) -> LiveResource:
    """A service's subnet group (RDS, ElastiCache, Redshift, DMS all list ``Subnets`` with a
    ``SubnetIdentifier``), its subnet_ids linked to the subnets, as Terraform holds it."""
    subnets = [s["SubnetIdentifier"] for s in group.get("Subnets", [])]
    res = LiveResource(rtype, name, region, service, {**values, "subnet_ids": subnets}, arn=arn)
    for sid in subnets:
        res.link("subnet_ids", "aws_subnet", sid)
    return res


def with_tags(values: dict[str, Any], tags: Any) -> dict[str, Any]:
    """A plan shows tags twice: the resource's own and tags_all (with provider defaults; live, the same)."""
    found = tag_map(tags)
    return {**values, "tags": found, "tags_all": dict(found)}
