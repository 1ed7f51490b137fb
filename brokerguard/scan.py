"""One scan, start to end: sources -> resources and findings -> control results."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from brokerguard.catalog import Catalog
from brokerguard.engine import ControlResult, evaluate
from brokerguard.errors import InputError
from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies import resource_conf
from brokerguard.profile import Profile
from brokerguard.providers.terraform import TerraformSource, open_directory
from brokerguard.stack_rules import run_rules


@dataclass(frozen=True)
class ScanResult:
    tier: int
    as_of: dt.date
    profile: Profile
    paths: tuple[str, ...]
    resources: tuple[Resource, ...]
    results: tuple[ControlResult, ...]

    @property
    def passed(self) -> bool:
        return not any(r.status.failing for r in self.results)


def open_source(path: Path) -> TerraformSource:
    """Recognise what a path holds; anything not understood is an error, never an empty pass."""
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if path.is_dir():
        return open_directory(path)
    raise InputError(f"{path}: not a Terraform directory (give the directory that holds the .tf files)")


def scan(paths: list[Path], profile: Profile, as_of: dt.date, catalog: Catalog) -> ScanResult:
    from brokerguard.checkov_scan import run_checkov  # imports Checkov: only when a scan needs it

    sources = [open_source(p) for p in paths]
    findings: list[Finding] = []
    resources: list[Resource] = []
    # The profile's tag keys hold for the Checkov checks and the stack rules alike.
    with resource_conf.scan_context(profile.tag_keys, profile.settings):
        for source in sources:
            result = run_checkov(source, set(catalog.check_ids))
            findings += result.findings
            resources += result.resources
        stack = Stack(resources)
        findings += run_rules(stack, set(catalog.stack_rule_ids))
    findings.sort(key=lambda f: (f.check_id, f.file, f.line, f.resource))
    return ScanResult(
        tier=profile.tier, as_of=as_of, profile=profile, paths=tuple(str(p) for p in paths),
        resources=tuple(stack.resources), results=tuple(evaluate(catalog, profile, as_of, findings)),
    )
