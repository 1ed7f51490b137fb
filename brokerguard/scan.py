"""One scan, start to end: sources -> resources and findings -> control results."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from pathlib import Path

from brokerguard import picture
from brokerguard.catalog import Catalog
from brokerguard.coverage import cannot_judge, never_read, unjudged
from brokerguard.drift import Drift
from brokerguard.engine import ControlResult, evaluate
from brokerguard.errors import InputError
from brokerguard.model import Finding, Location, Resource, Stack, Status
from brokerguard.policies import resource_conf
from brokerguard.policies.meta import Text
from brokerguard.profile import Profile
from brokerguard.providers import cloudformation, pulumi, terraform_plan
from brokerguard.providers.cloudformation import template as cfn_template
from brokerguard.providers.plan import PlanSource, display_path, load_json
from brokerguard.providers.terraform import TerraformSource, open_directory
from brokerguard.providers.terraform_variables import TerraformVariables
from brokerguard.stack_rules import run_rules
from brokerguard.suppressions import Suppression
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
    # Where a stack-level finding ("the stack has no GuardDuty") is located: the declaration of the
    # provider the missing resource would be created with, else the file that stands for the stack.
    stack_location: Location = Location("")
    left_out: tuple[str, ...] = ()  # .tf files under a scanned path that no module reads: not judged
    network: picture.Network = picture.Network((), ())  # the network as the scan judged it, for the reports
    drift: Drift | None = None  # scan-aws --compare-with: protections running and declared, side by side
    suppressions: tuple[Suppression, ...] = ()  # inline skips found: reported, never applied
    notes: tuple[str, ...] = ()  # what the sources say beside the findings (a Pulumi export's drift)

    @property
    def rule_sets(self) -> tuple[str, ...]:
        """The rule sets that judged it, in the order asked."""
        return tuple(r.id for r in self.catalog.rule_sets)

    @property
    def passed(self) -> bool:
        return not self.not_inspectable and not any(r.status.failing for r in self.results)

    @property
    def exit_code(self) -> int:
        """0 every required control holds, 1 one fails, 2 part of the input could not be judged."""
        if self.not_inspectable or any(r.status is Status.ERROR for r in self.results):
            return 2
        return 0 if self.passed else 1


def open_source(path: Path, stack: str | None = None, parameters: dict | None = None,
                timeout: float = pulumi.DEFAULT_TIMEOUT, variables: TerraformVariables | None = None) -> Source:
    """Recognise what a path holds by its content; anything not understood is an error, never an empty pass.

    A directory is a Pulumi program (Pulumi.yaml with __main__.py), a CDK cloud assembly (manifest.json),
    a Terraform tree, or a directory of CloudFormation templates; a file is a Terraform plan JSON, a
    Pulumi stack export or checkpoint, a Pulumi preview, or a CloudFormation template (JSON or YAML).
    `parameters` are CloudFormation parameter values (--parameters).
    """
    parameters = parameters or {}
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if path.is_dir():
        if pulumi.is_program(path):
            return pulumi.open_program(path, stack, timeout)
        if cloudformation.is_assembly(path):
            return cloudformation.open_assembly(path, parameters)
        if not any(path.rglob("*.tf")) and cloudformation.templates_in(path):
            return cloudformation.open_directory(path, parameters)
        return open_directory(path, variables)
    if path.suffix == ".tf":
        raise InputError(f"{path}: give the directory that holds the .tf files, not one file")
    text = cfn_template.read_text(path)
    if not cfn_template.looks_like_json(text):
        doc, lines = cfn_template.parse_yaml(path, text)
        if cloudformation.is_template(doc):
            return cloudformation.open_template(path, doc, lines, parameters)
        raise InputError(f"{path}: YAML that is not a CloudFormation template (no Resources of AWS:: types); "
                         f"brokerguard reads Terraform, Pulumi and CloudFormation inputs")
    doc, text = load_json(path, "a plan or state file")
    if terraform_plan.is_plan(doc):
        return terraform_plan.read_plan(path, doc, text)
    if pulumi.is_document(doc):
        return pulumi.read_document(path, doc)
    if cloudformation.is_template(doc):
        return cloudformation.open_template(path, doc, cfn_template.json_lines(text, doc), parameters)
    raise InputError(f"{path}: JSON that is neither a Terraform plan (format_version, planned_values), "
                     f"a Pulumi stack export or preview, nor a CloudFormation template (Resources)")


_PROVIDER = re.compile(r'^provider\s+"aws"\s*\{', re.M)
_TERRAFORM_BLOCK = re.compile(r'^terraform\s*\{', re.M)


def _block_at(file: Path, pattern: re.Pattern[str]) -> Location | None:
    """The first top-level block matching ``pattern``, from its line to the line of its closing brace."""
    text = file.read_text(encoding="utf-8")
    match = pattern.search(text)
    if match is None:
        return None
    depth, end = 0, len(text)
    for i in range(match.end() - 1, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            end = i
            break
    start = text.count("\n", 0, match.start()) + 1
    return Location(display_path(file), start, text.count("\n", 0, end) + 1)


def stack_location(source: Source) -> Location:
    """Where a finding about the whole stack points (SARIF, --changed-files)."""
    if isinstance(source, TerraformSource):
        root_files = sorted(f for f in source.files if f.parent == source.root) or sorted(source.files)
        for pattern in (_PROVIDER, _TERRAFORM_BLOCK):
            for f in root_files:
                found = _block_at(f, pattern)
                if found:
                    return found
        return Location(display_path(root_files[0])) if root_files else Location(display_path(source.root))
    if source.kind == "pulumi-program":
        return Location(display_path(source.root / "Pulumi.yaml"))
    if source.kind == "aws":
        return Location("")
    return Location(display_path(source.plan_file or source.root))


def load_judging_code() -> None:
    """Read everything that judges and reports from disk before a scanned program runs: the program
    can write files, brokerguard's own included, but cannot change what is already loaded."""
    from brokerguard import checkov_scan, registry, report  # noqa: F401 (imported for what it loads)
    from brokerguard.providers.pulumi.translate import mapping

    registry.load()
    mapping()
    report.preload()


def scan(paths: list[Path], profile: Profile, as_of: dt.date, catalog: Catalog, stack: str | None = None,
         timeout: float | None = None, parameters: dict | None = None,
         variables: TerraformVariables | None = None) -> ScanResult:
    """Open every path, then judge them together as one stack (``timeout``: Pulumi programs, None for the
    default; ``parameters``: CloudFormation parameter values)."""
    limit = pulumi.DEFAULT_TIMEOUT if timeout is None else timeout
    programs = [p for p in paths if pulumi.is_program(p)]
    others = [p for p in paths if p not in programs]
    if programs:
        load_judging_code()
        before = _fingerprints(others)
    sources = [open_source(p, stack, parameters, limit, variables) for p in paths]
    if programs:  # Terraform files are parsed after the programs ran: they must be the files given
        after = _fingerprints(others)
        changed = sorted(f for f in before.keys() | after.keys() if before.get(f) != after.get(f))
        if changed:
            raise InputError(f"{changed[0]}: changed while the Pulumi program {programs[0]} of this scan ran; "
                             f"what was given cannot be judged")
    return scan_sources(sources, profile, as_of, catalog)


def _fingerprints(paths: list[Path]) -> dict[str, str]:
    from brokerguard.provenance import files_under, sha256_file

    return {str(f): sha256_file(f) for p in paths if p.exists() for f in files_under(p)}


def _worlds(sources: list[Source]) -> list[list[Source]]:
    """Every combination of the sources' possible stacks (one, unless a template has undecidable conditions)."""
    combos: list[list[Source]] = [[]]
    for s in sources:
        options = [s, *s.alternatives] if isinstance(s, PlanSource) else [s]
        combos = [c + [o] for c in combos for o in options]
    return combos


def _merge(per_world: list[tuple[str, list[Finding]]]) -> list[Finding]:
    """One finding per check and resource: failing when it fails in any possible stack (saying in which),
    passing only when it passes in all of them that have it."""
    merged: dict[tuple[str, str], Finding] = {}
    for world, findings in per_world:
        for f in findings:
            key = (f.check_id, f.resource)
            if not f.passed and world and len(per_world) > 1:
                f = replace(f, message=Text.join("", [f.message, Text(f" (when {world})", f"（當 {world} 時）")]))
            if key not in merged or (merged[key].passed and not f.passed):
                merged[key] = f
    return list(merged.values())


def _judge(sources: list[Source], catalog: Catalog) -> tuple[list[Finding], Stack, list[Suppression]]:
    from brokerguard.checkov_scan import run_checkov  # imports Checkov: only when a scan needs it

    may: list[Finding] = []  # judged with every resource that may be created
    certain: list[Finding] = []  # judged with only the resources certainly created (worst_case.py)
    resources: list[Resource] = []
    certain_resources: list[Resource] = []
    uncertain: set[str] = set()
    suppressions: list[Suppression] = []
    unknown = {a: gaps for s in sources if isinstance(s, PlanSource) for a, gaps in s.unknown.items()}
    for source in sources:
        result = run_checkov(source, set(catalog.check_ids))
        may += result.findings
        resources += result.resources
        suppressions += result.suppressions
        certain += result.findings if result.certain_findings is None else result.certain_findings
        certain_resources += result.resources if result.certain_resources is None else result.certain_resources
        unknown.update(result.unknown)
        uncertain.update(result.uncertain)
    stack = Stack(resources)
    may += run_rules(stack, set(catalog.stack_rule_ids))
    if uncertain:
        certain += run_rules(Stack(certain_resources), set(catalog.stack_rule_ids))
    findings = worst_case(may, certain, sorted(uncertain)) if uncertain else may
    return cannot_judge(findings, unknown, stack.linked), stack, suppressions


def scan_sources(sources: list[Source], profile: Profile, as_of: dt.date, catalog: Catalog) -> ScanResult:
    per_world: list[tuple[str, list[Finding]]] = []
    stack = Stack([])
    network = picture.Network((), ())
    suppressions: list[Suppression] = []
    # The profile's tag keys and settings hold for the Checkov checks and the stack rules alike.
    with resource_conf.scan_context(profile.tag_keys, profile.settings):
        for i, world in enumerate(_worlds(sources)):
            found, judged, skipped = _judge(world, catalog)
            per_world.append((", ".join(s.world for s in world if isinstance(s, PlanSource) and s.world), found))
            if i == 0:  # the first possible stack is the one the reports draw
                stack, suppressions = judged, skipped
                network = picture.build(stack)  # core and public as the rules saw them, under the profile's tag keys
    findings = _merge(per_world)
    unread = {t: why for s in sources if isinstance(s, PlanSource) for t, why in s.errors.items()}
    if any(s.kind == "aws" for s in sources):
        from brokerguard.providers.aws.discover import served_types

        unread = {**never_read(catalog.check_ids | catalog.stack_rule_ids, served_types(), "scan-aws"), **unread}
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
        stack_location=next((loc for loc in map(stack_location, sources) if loc.file), Location("")),
        suppressions=tuple(suppressions),
        notes=tuple(n for s in plans for n in s.notes),
        left_out=tuple(display_path(f) for s in sources if isinstance(s, TerraformSource) for f in s.left_out),
    )
