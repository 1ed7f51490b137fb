"""Stopgap until brokerguard.checkov_scan scans plan JSON: Checkov's terraform_plan runner on the
translated document, with the same checks and the same finding records as a Terraform scan.
(Written while the plan path was being added to brokerguard/checkov_scan.py by another change;
replace ``run_plan_checks`` with that path once it exists.)"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

from brokerguard import checkov_scan
from brokerguard.catalog import Catalog
from brokerguard.engine import evaluate
from brokerguard.errors import InputError
from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies import resource_conf
from brokerguard.profile import Profile
from brokerguard.providers.pulumi.source import PulumiSource, cannot_judge, open_pulumi
from brokerguard.stack_rules import run_rules


def run_plan_checks(source: PulumiSource, check_ids: set[str]) -> list[Finding]:
    checkov_scan._checkov()
    from checkov.runner_filter import RunnerFilter
    from checkov.terraform.plan_runner import Runner

    with tempfile.TemporaryDirectory(prefix="brokerguard-pulumi-") as tmp:
        plan_file = Path(tmp) / "plan.json"
        plan_file.write_text(json.dumps(source.plan), encoding="utf-8")
        runner = Runner()
        report = runner.run(root_folder=None, files=[str(plan_file)],
                            external_checks_dir=checkov_scan._external_checks_dirs(),
                            runner_filter=RunnerFilter(framework=["terraform_plan"], checks=sorted(check_ids),
                                                       show_progress_bar=False))
    if report.parsing_errors:
        raise InputError(f"{source.root}: Checkov could not read the translated plan")
    findings = []
    for passed, records in ((True, report.passed_checks), (False, report.failed_checks)):
        for rec in records:
            if rec.check_id not in check_ids:
                continue
            file, line, urn = source.locations.get(rec.resource, (str(source.root), 0, ""))
            message = "; ".join(rec.details) if rec.details else rec.check_name
            findings.append(Finding(
                check_id=rec.check_id, check_name=rec.check_name, resource=rec.resource, file=file, line=line,
                passed=passed, message="ok" if passed else f"{message} ({urn})" if urn else message,
                guideline=rec.guideline or "",
            ))
    return findings


def scan_pulumi(paths: list[Path], profile: Profile, as_of: dt.date, catalog: Catalog, stack: str | None = None) -> Any:
    """The same scan as brokerguard.scan.scan, for Pulumi sources."""
    from brokerguard.scan import ScanResult

    return scan_sources([open_pulumi(p, stack) for p in paths], profile, as_of, catalog)


def scan_sources(sources: list[PulumiSource], profile: Profile, as_of: dt.date, catalog: Catalog) -> Any:
    from brokerguard.scan import ScanResult

    paths = [s.root for s in sources]
    findings: list[Finding] = []
    resources: list[Resource] = []
    with resource_conf.scan_context(profile.tag_keys, profile.settings):
        for source in sources:
            findings += cannot_judge(run_plan_checks(source, set(catalog.check_ids)), source)
            resources += source.translation.resources
        stack_ = Stack(resources)
        rule_findings = run_rules(stack_, set(catalog.stack_rule_ids))
        for source in sources:
            rule_findings = cannot_judge(rule_findings, source)
        findings += rule_findings
    findings.sort(key=lambda f: (f.check_id, f.file, f.line, f.resource))
    result = ScanResult(tier=profile.tier, as_of=as_of, profile=profile, paths=tuple(str(p) for p in paths),
                        resources=tuple(stack_.resources), results=tuple(evaluate(catalog, profile, as_of, findings)))
    object.__setattr__(result, "unmapped_types", tuple(sorted({t for s in sources for t in s.unmapped_types})))
    object.__setattr__(result, "not_inspectable", tuple(n for s in sources for n in s.translation.not_inspectable))
    return result
