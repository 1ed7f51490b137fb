"""One scan, start to end: sources -> resources and findings -> control results."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from brokerguard import picture
from brokerguard.catalog import Catalog
from brokerguard.coverage import cannot_judge, unjudged
from brokerguard.drift import Drift
from brokerguard.engine import ControlResult, evaluate
from brokerguard.errors import InputError
from brokerguard.model import Finding, Resource, Stack, Status
from brokerguard.policies import resource_conf
from brokerguard.profile import Profile
from brokerguard.providers import pulumi, terraform_plan
from brokerguard.providers.plan import PlanSource, display_path, load_json
from brokerguard.providers.terraform import TerraformSource, open_directory
from brokerguard.providers.terraform_variables import TerraformVariables
from brokerguard.stack_rules import run_rules
from brokerguard.worst_case import worst_case

Source = TerraformSource | PlanSource


@dataclass(frozen=True)
class ScanResult:
    tier: int
    as_of: dt.date
    profile: Profile
    catalog: Catalog
    paths: tuple[str, ...]
    resources: tuple[Resource, ...]
    results: tuple[ControlResult, ...]
    sources: tuple[tuple[str, str], ...] = ()  # (path, kind) of every source read
    unmapped_types: tuple[str, ...] = ()  # resource types no check knows: listed, not judged
    not_inspectable: tuple[str, ...] = ()  # parts a source could not show: the scan cannot pass
    unread: tuple[tuple[str, str], ...] = ()  # (resource type, why) a live source could not read
    left_out: tuple[str, ...] = ()  # .tf files under a scanned path that no module reads: not judged
    network: picture.Network = picture.Network((), ())  # the network as the scan judged it, for the reports
    drift: Drift | None = None  # scan-aws --compare-with: protections running and declared, side by side

    @property
    def passed(self) -> bool:
        return not self.not_inspectable and not any(r.status.failing for r in self.results)

    @property
    def exit_code(self) -> int:
        """0 every required control holds, 1 one fails, 2 part of the input could not be judged."""
        if self.not_inspectable or any(r.status is Status.ERROR for r in self.results):
            return 2
        return 0 if self.passed else 1


def open_source(path: Path, stack: str | None = None, variables: TerraformVariables | None = None) -> Source:
    """Recognise what a path holds by its content; anything not understood is an error, never an empty pass.

    A directory is a Pulumi program (Pulumi.yaml with __main__.py) or a Terraform tree; a file is a
    Terraform plan JSON, a Pulumi stack export or checkpoint, or a Pulumi preview.
    """
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if path.is_dir():
        return pulumi.open_program(path, stack) if pulumi.is_program(path) else open_directory(path, variables)
    if path.suffix == ".tf":
        raise InputError(f"{path}: give the directory that holds the .tf files, not one file")
    doc, text = load_json(path, "a plan or state file")
    if terraform_plan.is_plan(doc):
        return terraform_plan.read_plan(path, doc, text)
    if pulumi.is_document(doc):
        return pulumi.read_document(path, doc)
    raise InputError(f"{path}: JSON that is neither a Terraform plan (format_version, planned_values) "
                     f"nor a Pulumi stack export or preview")


def scan(paths: list[Path], profile: Profile, as_of: dt.date, catalog: Catalog, stack: str | None = None,
         variables: TerraformVariables | None = None) -> ScanResult:
    """Open every path, then judge them together as one stack."""
    return scan_sources([open_source(p, stack, variables) for p in paths], profile, as_of, catalog)


def scan_sources(sources: list[Source], profile: Profile, as_of: dt.date, catalog: Catalog) -> ScanResult:
    from brokerguard.checkov_scan import run_checkov  # imports Checkov: only when a scan needs it

    may: list[Finding] = []  # judged with every resource that may be created
    certain: list[Finding] = []  # judged with only the resources certainly created
    resources: list[Resource] = []
    certain_resources: list[Resource] = []
    uncertain: set[str] = set()
    unknown = {a: gaps for s in sources if isinstance(s, PlanSource) for a, gaps in s.unknown.items()}
    # The profile's tag keys and settings hold for the Checkov checks and the stack rules alike.
    with resource_conf.scan_context(profile.tag_keys, profile.settings):
        for source in sources:
            result = run_checkov(source, set(catalog.check_ids))
            may += result.findings
            resources += result.resources
            certain += result.findings if result.certain_findings is None else result.certain_findings
            certain_resources += result.resources if result.certain_resources is None else result.certain_resources
            unknown.update(result.unknown)
            uncertain.update(result.uncertain)
        stack = Stack(resources)
        may += run_rules(stack, set(catalog.stack_rule_ids))
        if uncertain:
            certain += run_rules(Stack(certain_resources), set(catalog.stack_rule_ids))
        network = picture.build(stack)  # core and public as the rules saw them, under the profile's tag keys
    findings = cannot_judge(worst_case(may, certain, sorted(uncertain)) if uncertain else may, unknown, stack.linked)
    unread = {t: why for s in sources if isinstance(s, PlanSource) for t, why in s.errors.items()}
    errors = unjudged(catalog.check_ids | catalog.stack_rule_ids, unread)
    findings.sort(key=lambda f: (f.check_id, f.file, f.line, f.resource))
    plans = [s for s in sources if isinstance(s, PlanSource)]
    return ScanResult(
        tier=profile.tier, as_of=as_of, profile=profile, catalog=catalog, paths=tuple(str(s.root) for s in sources),
        resources=tuple(stack.resources), results=tuple(evaluate(catalog, profile, as_of, findings, errors)),
        sources=tuple((str(s.root), s.kind) for s in sources),
        unmapped_types=tuple(sorted({t for s in plans for t in s.unmapped_types})),
        not_inspectable=tuple(n for s in plans for n in s.not_inspectable),
        unread=tuple(sorted(unread.items())), network=network,
        left_out=tuple(display_path(f) for s in sources if isinstance(s, TerraformSource) for f in s.left_out),
    )
