"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One rule per check or stack rule of the catalog (rule id = check id, with its control, CC code and
fix as help), plus one rule per control that evidence decides. One result per failing or waived
resource, with file, line and a fingerprint that survives the resource moving lines; a waived
result carries an accepted external suppression. No timestamps: same input, same bytes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from brokerguard import provenance as prov
from brokerguard.catalog import Control
from brokerguard.model import Status
from brokerguard.report.view import EVIDENCE_FIX, ControlView, FindingView, ReportView

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT = "brokerguard/v1"


def evidence_rule_id(control_id: str) -> str:
    return f"TWB_EVIDENCE.{control_id}"


def _uri(path: str) -> str:
    p = Path(path)
    return p.resolve().as_uri() if p.is_absolute() else quote(p.as_posix())


def _control_help(c: Control) -> str:
    return (f"Control {c.id} ({c.cc}): {c.name['en']} / {c.name['zh-TW']}. "
            f"{c.requirement['en']}")


def _rule(rule_id: str, name: str, description: str, fix: str, c: Control) -> dict[str, Any]:
    help_text = f"How to fix: {fix}\n\n{_control_help(c)}" if fix else _control_help(c)
    return {
        "id": rule_id,
        "name": name,
        "shortDescription": {"text": name},
        "fullDescription": {"text": description or name},
        "help": {"text": help_text, "markdown": help_text.replace("How to fix:", "**How to fix:**")},
        "defaultConfiguration": {"level": "error"},
        "properties": {"control": c.id, "cc": c.cc, "control_name": c.name,
                       "tags": ["security", "compliance", c.cc, c.id]},
    }


def _rules(view: ReportView) -> list[dict[str, Any]]:
    rules = []
    for c in view.catalog.controls:
        for rule_id in c.checks + c.stack_rules:
            meta = view.policies[rule_id].meta
            rules.append(_rule(rule_id, meta.name, meta.description, meta.fix, c))
        if c.verification != "infrastructure":
            rules.append(_rule(evidence_rule_id(c.id), f"{c.name['en']}: valid evidence is declared",
                               c.requirement["en"],
                               EVIDENCE_FIX, c))
    return rules


def _location(file: str, line: int, logical: str | None = None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(file)}}
    if line >= 1:
        physical["region"] = {"startLine": line}
    location: dict[str, Any] = {"physicalLocation": physical}
    if logical:
        location["logicalLocations"] = [{"name": logical, "fullyQualifiedName": logical, "kind": "resource"}]
    return location


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def _anchor(view: ReportView) -> str:
    """Where a result without a file of its own points: the profile, else the first input file."""
    p = view.provenance
    return p.profile_file or (p.inputs[0].path if p.inputs else view.paths[0])


def _finding_result(view: ReportView, c: ControlView, f: FindingView, index: dict[str, int]) -> dict[str, Any]:
    has_file = bool(f.file)
    result: dict[str, Any] = {
        "ruleId": f.check_id,
        "ruleIndex": index[f.check_id],
        "level": "error",
        "message": {"text": f"{f.resource}: {f.message} (control {c.id}, {c.cc})"},
        "locations": [_location(f.file if has_file else _anchor(view), f.line if has_file else 1, f.resource)],
        "partialFingerprints": {FINGERPRINT: _fingerprint(f.check_id, f.resource, f.file)},
        "properties": {"control": c.id, "cc": c.cc, "resource": f.resource, "control_status": c.status.value},
    }
    if f.waiver:
        w = f.waiver
        why = f"{w.reason} (approved by {w.approver}, expires {w.expiry}"
        why += f", ticket {w.ticket})" if w.ticket else ")"
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": why}]
    return result


def _evidence_result(view: ReportView, c: ControlView, index: dict[str, int]) -> dict[str, Any]:
    rule_id = evidence_rule_id(c.id)
    detail = "; ".join(c.notes) or "no valid evidence declared"
    return {
        "ruleId": rule_id,
        "ruleIndex": index[rule_id],
        "level": "error",
        "message": {"text": f"{c.id} ({c.cc}) is shown only by evidence, and none valid is declared: {detail}"},
        "locations": [_location(_anchor(view), 1)],
        "partialFingerprints": {FINGERPRINT: _fingerprint(rule_id, c.id)},
        "properties": {"control": c.id, "cc": c.cc, "control_status": c.status.value},
    }


def to_dict(view: ReportView) -> dict[str, Any]:
    rules = _rules(view)
    index = {r["id"]: i for i, r in enumerate(rules)}
    results, seen = [], set()
    for c in view.controls:
        for f in c.problems:
            # A control that includes another (APT defence) repeats its findings: one result, under the first.
            if f.result in ("failed", "waived") and (f.check_id, f.resource, f.file) not in seen:
                seen.add((f.check_id, f.resource, f.file))
                results.append(_finding_result(view, c, f, index))
        if c.status is Status.EVIDENCE_MISSING:
            results.append(_evidence_result(view, c, index))
    unjudged = [{"level": "error", "descriptor": {"id": c.id},
                 "message": {"text": f"{c.id} ({c.cc}) could not be judged: {'; '.join(c.notes)}"}}
                for c in view.controls if c.status is Status.ERROR]
    p = view.provenance
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "brokerguard", "version": p.brokerguard_version,
                                "semanticVersion": p.brokerguard_version, "rules": rules}},
            # A control that could not be judged (scan-aws: a service denied, a region unreachable) is a
            # tool execution problem, not a finding on a resource.
            "invocations": [{"executionSuccessful": not unjudged, "exitCode": view.exit_code,
                             "toolExecutionNotifications": unjudged}],
            "artifacts": [{"location": {"uri": _uri(f.path)}, "hashes": {"sha-256": f.sha256}} for f in p.inputs],
            "results": results,
            "columnKind": "unicodeCodePoints",
            "properties": {
                "broker": view.broker, "tier": view.tier, "as_of": view.as_of.isoformat(), "passed": view.passed,
                "controls": [{"id": c.id, "cc": c.cc, "status": c.status.value, "judged": c.judged}
                             for c in view.controls],
                "provenance": prov.to_dict(p),
            },
        }],
    }


def render(view: ReportView) -> str:
    return json.dumps(to_dict(view), ensure_ascii=False, indent=2) + "\n"
