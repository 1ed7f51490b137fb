"""Run Checkov in-process, offline, with our checks, and turn its output into findings and resources."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brokerguard import compat_checkov, registry
from brokerguard.errors import InputError
from brokerguard.model import Finding, Resource
from brokerguard.policies import resource_conf
from brokerguard.policies.meta import OK, Text
from brokerguard.providers.plan import PlanSource, display_path
from brokerguard.providers.terraform import PARSE_HINT, TerraformSource, describe_parse_error
from brokerguard.suppressions import Suppression, in_files


@dataclass(frozen=True)
class CheckovResult:
    findings: list[Finding]
    resources: list[Resource]
    suppressions: list[Suppression]  # inline skips found in what Checkov read: listed, never applied


def _provider_default_tags(definitions: dict) -> dict[str, dict[str, str]]:
    tags: dict[str, dict[str, str]] = {}
    for definition in definitions.values():
        for block in definition.get("provider", []):
            for conf in block.values():
                default = resource_conf.value(conf, "default_tags")
                if isinstance(default, dict):
                    found = resource_conf.effective_tags({"tags": default.get("tags"), "__provider_address__": "-"})
                    tags[conf.get("__address__", "aws.default")] = found
    return tags


def _unwrap(conf: dict) -> dict:
    """Undo Checkov's one-element list around each attribute; blocks and maps stay lists of dicts."""
    return {k: _unwrap_attribute(v) for k, v in conf.items() if not k.startswith("__")}


def _unwrap_attribute(value: Any) -> Any:
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return [_unwrap(v) for v in value]
        if len(value) == 1:
            return value[0]
    return value


_REFERENCE = re.compile(r"(?<![\w.])((?:module\.[\w-]+(?:\[[^\]]*\])?\.)*(?:aws|data\.aws)_[a-z0-9_]+\.[\w-]+)")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _references(conf: dict, address: str, known: set[str]) -> frozenset[str]:
    """Addresses this resource refers to; a reference inside a module is relative to the module."""
    module_prefix = address[: address.rfind(".", 0, address.rfind(".")) + 1] if address.startswith("module.") else ""
    refs = set()
    for text in _strings({k: v for k, v in conf.items() if not k.startswith("__")}):
        for ref in _REFERENCE.findall(text):
            for candidate in (module_prefix + ref, ref):
                if candidate in known and candidate != address:
                    refs.add(candidate)
                    break
    return frozenset(refs)


def _resources(definitions: dict, display: Any) -> list[Resource]:
    raw = []
    for key, definition in definitions.items():
        for block in definition.get("resource", []):
            for rtype, named in block.items():
                for name, conf in named.items():
                    raw.append((rtype, name, conf, key.file_path))
    known = {conf.get("__address__", f"{t}.{n}") for t, n, conf, _ in raw}
    resources = []
    for rtype, name, conf, path in raw:
        address = conf.get("__address__", f"{rtype}.{name}")
        resources.append(Resource(
            address=address, type=rtype, name=name, values=_unwrap(conf),
            references=_references(conf, address, known), file=display(path),
            line=int(conf.get("__start_line__", 0)), tags=resource_conf.effective_tags(conf),
            end_line=int(conf.get("__end_line__", 0)),
        ))
    return resources


def _findings(report: Any, check_ids: set[str], locate: Callable[[Any], tuple[str, int, str]]) -> list[Finding]:
    policies = registry.load()
    findings = []
    for passed, records in ((True, report.passed_checks), (False, report.failed_checks)):
        for rec in records:
            if rec.check_id not in check_ids:
                continue
            meta = policies[rec.check_id].meta
            file, line, source_id = locate(rec)
            message = Text.join("; ", rec.details) if rec.details else meta.name
            if source_id and not passed:
                message = Text.join(" ", [message, f"({source_id})"])
            findings.append(Finding(
                check_id=rec.check_id, check_name=meta.name, resource=rec.resource, file=file, line=line,
                passed=passed, message=OK if passed else message, guideline=policies[rec.check_id].guideline,
                fix=meta.fix, severity=meta.severity,
            ))
    return findings


def _refuse_skipped(report: Any, check_ids: set[str], where: str) -> None:
    """Checkov runs with skip comments off; a check of ours it skipped anyway (a suppression path this
    version added) would vanish from the verdict, so the scan stops instead of passing."""
    for rec in report.skipped_checks:
        if rec.check_id in check_ids:
            reason = rec.check_result.get("suppress_comment") or "no reason"
            raise InputError(f"{where}: Checkov skipped {rec.check_id} on {rec.resource} ({reason}); brokerguard "
                             f"applies no inline suppression and cannot judge a skipped check")


def run_checkov(source: TerraformSource | PlanSource, check_ids: set[str]) -> CheckovResult:
    """Scan one source with exactly these checks, whatever else this process loaded before.

    Call inside ``resource_conf.scan_context`` so that the checks see the profile's tag keys.
    """
    registry.load()  # our checks are in Checkov's registries from here on
    if isinstance(source, PlanSource):
        return _run_plan(source, check_ids)
    # Provider default_tags become visible to the checks once the graph has resolved them.
    runner = compat_checkov.terraform_runner(lambda d: resource_conf.set_provider_tags(_provider_default_tags(d)))
    report = runner.run(root_folder=str(source.root), runner_filter=compat_checkov.runner_filter(source.framework, check_ids),
                        collect_skip_comments=False)  # inline skips are listed, never applied (suppressions.py)
    _refuse_skipped(report, check_ids, str(source.root))
    if report.parsing_errors:
        first = sorted(report.parsing_errors)[0]
        raise InputError(describe_parse_error(Path(first)), hint=PARSE_HINT)
    resources = _resources(runner.definitions or {}, display_path)

    def locate(rec: Any) -> tuple[str, int, str]:
        return display_path(rec.file_abs_path), rec.file_line_range[0] if rec.file_line_range else 0, ""

    read = [(key.file_path, display_path(key.file_path)) for key in (runner.definitions or {})]
    return CheckovResult(findings=_findings(report, check_ids, locate), resources=resources,
                         suppressions=in_files(read))


def _run_plan(source: PlanSource, check_ids: set[str]) -> CheckovResult:
    """Checkov's terraform_plan runner on a plan file, or on a translated source written to one."""
    resource_conf.set_provider_tags({})  # a plan's tags_all already holds the provider's default tags
    with tempfile.TemporaryDirectory(prefix="brokerguard-plan-") as tmp:
        plan_file = source.plan_file
        if plan_file is None:
            plan_file = Path(tmp) / "plan.json"
            plan_file.write_text(json.dumps(source.plan), encoding="utf-8")
        try:
            with compat_checkov.plan_parse_errors_raise():
                report = compat_checkov.plan_runner().run(
                    root_folder=None, files=[str(plan_file)],
                    runner_filter=compat_checkov.runner_filter("terraform_plan", check_ids), collect_skip_comments=False)
        except compat_checkov.UnreadablePlanError as exc:
            raise InputError(f"{source.root}: Checkov cannot read this plan ({exc})") from None
    _refuse_skipped(report, check_ids, str(source.root))
    if report.parsing_errors:
        raise InputError(f"{source.root}: Checkov could not read this plan")
    fallback = (display_path(source.root), 0, "")
    findings = _findings(report, check_ids, lambda rec: source.locations.get(rec.resource, fallback))
    return CheckovResult(findings=findings, resources=list(source.resources), suppressions=[])
