"""Sources judged through Checkov's terraform_plan runner: a Terraform plan JSON (`terraform show
-json`), or another source (Pulumi, live AWS) translated to that shape so the same checks run on it."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brokerguard.errors import InputError
from brokerguard.model import Resource
from brokerguard.schema import read_limited

TF_AWS_PROVIDER = "registry.terraform.io/hashicorp/aws"
# No plan or state file a broker keeps is this large; refuse before reading it into memory.
MAX_JSON_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class PlanSource:
    root: Path  # what the user named
    kind: str  # terraform-plan, pulumi-program, pulumi-export, pulumi-preview, pulumi-policy, aws
    plan: dict[str, Any]  # Terraform plan JSON shape
    resources: tuple[Resource, ...]  # what the stack rules see
    locations: dict[str, tuple[str, int, str]]  # address -> (file, line, source id: URN, ARN or "")
    unknown: dict[str, dict[str, str]] = field(default_factory=dict)  # address -> {attribute: why not known}
    unmapped: tuple[tuple[str, str], ...] = ()  # (source id, type) with no Terraform twin: not judged
    not_inspectable: tuple[str, ...] = ()  # parts the source could not show (never a pass)
    notes: tuple[str, ...] = ()  # said in the report, decide nothing (a Pulumi export's drift)
    # Terraform type -> why the source could not read that kind of resource (live AWS: access denied,
    # region unreachable); every check reading such a type is `error` (brokerguard.coverage).
    errors: dict[str, str] = field(default_factory=dict)
    plan_file: Path | None = None  # the plan on disk, when the source is one; else written for Checkov
    framework: str = "terraform_plan"
    # CloudFormation: conditions that cannot be decided before deployment make other possible stacks,
    # all judged (a finding passes only when it passes in every one); `world` says which this one is.
    world: str = ""
    alternatives: tuple[PlanSource, ...] = ()

    @property
    def unmapped_types(self) -> list[str]:
        return sorted({t for _, t in self.unmapped})


def plan_entries(address: str, rtype: str, name: str, values: dict[str, Any],
                 expressions: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """One translated resource as `terraform show -json` lists it: its planned values, and its
    configuration block whose expressions carry the references."""
    planned = {"address": address, "mode": "managed", "type": rtype, "name": name, "provider_name": TF_AWS_PROVIDER,
               "schema_version": 0, "values": values, "sensitive_values": {}}
    configured = {"address": address, "mode": "managed", "type": rtype, "name": name, "provider_config_key": "aws",
                  "expressions": expressions, "schema_version": 0}
    return planned, configured


def tags_of(values: dict[str, Any]) -> dict[str, str]:
    """A resource's effective tags from plan-shaped values: `tags_all` (provider defaults included),
    its own `tags`, and an auto scaling group's `tag` blocks (it has no tags map)."""
    tags: dict[str, str] = {}
    for key in ("tags_all", "tags"):
        if isinstance(values.get(key), dict):
            tags.update({str(k): "" if v is None else str(v) for k, v in values[key].items()})
    for block in values.get("tag") or []:
        if isinstance(block, dict) and "key" in block:
            tags[str(block["key"])] = "" if block.get("value") is None else str(block["value"])
    return tags


def plan_document(planned: list[dict[str, Any]], configured: list[dict[str, Any]]) -> dict[str, Any]:
    """A plan JSON around translated resources: planned values, and configuration expressions that
    carry the references Checkov's graph (and so the connection checks) follows."""
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "planned_values": {"root_module": {"resources": planned}},
        "configuration": {"provider_config": {"aws": {"name": "aws", "full_name": TF_AWS_PROVIDER}},
                          "root_module": {"resources": configured}},
    }


def display_path(path: str | os.PathLike[str]) -> str:
    """Paths relative to the working directory, as CI annotations expect; absolute outside it."""
    rel = os.path.relpath(path)
    return str(path) if rel.startswith("..") else rel


def load_json(path: Path, what: str) -> tuple[Any, str]:
    """A JSON document and its text, refused by size before parsing; errors name the file, line and column."""
    data = read_limited(path, MAX_JSON_BYTES, what)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {data[exc.start]:#04x} at offset {exc.start})") from None
    try:
        return json.loads(text), text
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg}, column {exc.colno})") from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply to read") from None
