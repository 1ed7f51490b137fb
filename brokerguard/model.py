"""The records that flow through a scan: resources -> findings -> control results."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Resource:
    """One declared resource, in Terraform's vocabulary whatever the source was."""

    address: str  # e.g. module.net.aws_subnet.private
    type: str
    name: str
    values: dict[str, Any]  # plain values (no Checkov list wrapping)
    references: frozenset[str]  # addresses of resources this one refers to
    file: str
    line: int
    tags: dict[str, str] = field(default_factory=dict)  # effective tags (provider defaults merged)
    source_id: str | None = None  # Pulumi URN, ARN, ... when the source has one
    region: str | None = None  # the region its provider places it in, when the source says so literally
    end_line: int = 0  # last line of the declaration, when the parser knows it
    # The provider configuration that makes it, when the source says (aws.default, aws.other, a Pulumi provider,
    # "live"): an account-wide setting applies only to resources made with the same one.
    provider: str | None = None


@dataclass(frozen=True)
class Location:
    """A place in a file; line 0: the whole file (the parser does not know the line)."""

    file: str
    line: int = 0
    end_line: int = 0


@dataclass(frozen=True)
class Finding:
    """One check or stack rule on one resource (or on the whole stack)."""

    check_id: str
    check_name: str  # texts are brokerguard.policies.meta.Text: English, carrying the zh-TW twin
    resource: str  # address, or "(stack)" for a stack-level absence
    file: str
    line: int
    passed: bool
    message: str
    guideline: str = ""
    attestable: bool = False  # a "the stack must contain X" finding that evidence may stand in for
    fix: str = ""  # the check's fix, settled by the scan so that every report carries it
    severity: str = ""  # the check's severity (critical, high, medium, low)
    # The protection may exist where code cannot show it (a scrubbing service in front of an entry point):
    # without evidence the control is evidence_missing, not a failure shown by the infrastructure.
    evidence_gap: bool = False


class Status(str, enum.Enum):  # noqa: UP042 (str() and format() of a member stay as they were)
    PASS = "pass"
    FAIL = "fail"
    ATTESTED = "attested"
    WAIVED = "waived"
    EVIDENCE_MISSING = "evidence_missing"
    NOT_APPLICABLE = "not_applicable"
    NOT_IN_FORCE = "not_in_force"
    ERROR = "error"  # a check could not be judged: part of the source could not be read

    @property
    def failing(self) -> bool:
        return self in (Status.FAIL, Status.EVIDENCE_MISSING, Status.ERROR)


class Stack:
    """All resources of one scan, indexed for the stack-level rules."""

    def __init__(self, resources: list[Resource]) -> None:
        self.resources = sorted(resources, key=lambda r: r.address)
        self._by_address = {r.address: r for r in self.resources}
        self._by_type: dict[str, list[Resource]] = {}
        for r in self.resources:
            self._by_type.setdefault(r.type, []).append(r)
        # Who refers to whom, built once: a scan over every resource per question is quadratic.
        self._referrers: dict[str, list[Resource]] = {}
        for r in self.resources:
            for address in r.references:
                self._referrers.setdefault(address, []).append(r)

    def get(self, address: str) -> Resource | None:
        return self._by_address.get(address)

    def of_type(self, *types: str) -> list[Resource]:
        """Resources of these types, in address order (rules ask this per resource: indexed)."""
        if len(types) == 1:
            return list(self._by_type.get(types[0], ()))
        return sorted((r for t in set(types) for r in self._by_type.get(t, ())), key=lambda r: r.address)

    def referenced(self, resource: Resource, *types: str) -> list[Resource]:
        """Resources of these types that this one refers to."""
        found = (self._by_address.get(a) for a in sorted(resource.references))
        return [r for r in found if r is not None and r.type in types]

    def linked(self, address: str) -> list[str]:
        """Addresses of the resources this one refers to and of those that refer to it."""
        resource = self._by_address.get(address)
        if resource is None:
            return []
        return sorted(resource.references | {r.address for r in self._referrers.get(address, ())})

    def referrers(self, resource: Resource, *types: str) -> list[Resource]:
        """Resources of these types that refer to this one."""
        return [r for r in self._referrers.get(resource.address, ()) if r.type in types]
