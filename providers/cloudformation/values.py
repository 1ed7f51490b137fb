"""What an evaluated CloudFormation value can be besides plain JSON: a reference to a resource (Ref,
GetAtt), a string built from references (Sub, Join), a value nobody knows before deployment, or the
absence AWS::NoValue stands for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ResourceKey = tuple[str, str]  # (stack path, logical id): unique across nested stacks


@dataclass(frozen=True)
class Ref:
    """`Ref` (attribute None) or `Fn::GetAtt` of a resource."""

    key: ResourceKey
    attribute: str | None = None


@dataclass(frozen=True)
class Symbol:
    """A pseudo parameter known only at deployment (the region, the account, this stack's name), kept by
    name: the same name is the same value within one stack, so `!Sub "/${AWS::StackName}/flow"` written
    twice still names one log group; compared with any literal it decides nothing."""

    name: str

    @property
    def text(self) -> str:
        return "${" + self.name + "}"


@dataclass(frozen=True)
class Text:
    """A string joined from literals and references; known once the references are."""

    parts: tuple[Any, ...]  # str | Ref | Symbol


@dataclass(frozen=True)
class Unknown:
    """Not known before deployment; `refs` are the resources it is built from (a Sub of an ARN with the
    region in it still points at the resource)."""

    why: str
    refs: tuple[Ref, ...] = ()


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()


def refs_in(value: Any) -> list[Ref]:
    """Every reference a value holds, in order."""
    if isinstance(value, Ref):
        return [value]
    if isinstance(value, Text):
        return [p for p in value.parts if isinstance(p, Ref)]
    if isinstance(value, Unknown):
        return list(value.refs)
    if isinstance(value, dict):
        return [r for v in value.values() for r in refs_in(v)]
    if isinstance(value, list):
        return [r for v in value for r in refs_in(v)]
    return []


def unknown_in(value: Any) -> Unknown | None:
    """The first unknown a value holds, if any."""
    if isinstance(value, Unknown):
        return value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return next((u for u in map(unknown_in, items) if u is not None), None)
