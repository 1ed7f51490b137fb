"""What every Pulumi source (program, export, preview) is read into before translation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Pulumi's wire sentinels (sdk/go/common/resource/plugin and sdk/python/lib/pulumi/runtime/rpc.py).
SECRET_SIG = "4dabf18193072939515e22adb298388d"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_PREFIX = "pulumi:providers:"


@dataclass
class PulumiResource:
    urn: str
    type: str  # token, e.g. aws:rds/instance:Instance
    name: str  # logical name
    inputs: dict[str, Any]  # what is judged, camelCase wire names: a program's or preview's inputs, an export's deployed outputs
    outputs: dict[str, Any] = field(default_factory=dict)
    parent: str | None = None
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    custom: bool = True
    provider: str | None = None  # "<provider urn>::<id>"
    file: str = ""
    line: int = 0


@dataclass
class PulumiStack:
    origin: str  # the path given to brokerguard
    kind: str  # program | export | preview
    resources: list[PulumiResource]
    config: dict[str, Any] = field(default_factory=dict)  # "aws:defaultTags" -> value
    not_inspectable: list[str] = field(default_factory=list)  # components that create nothing here
    notes: list[str] = field(default_factory=list)  # what the report should say: drift between inputs and outputs

    @property
    def file(self) -> str:
        return self.origin
