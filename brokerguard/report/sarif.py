"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One rule per check or stack rule of the catalog (rule id = check id, with its control, CC code,
fix, helpUri, severity and precision). One result per failing or waived resource, with its region
and a fingerprint that survives the resource moving lines; a waived result carries an accepted
external suppression; a finding on the whole stack points at the provider's declaration. Controls
that only evidence shows are configuration notifications, not code alerts. URIs are relative to
the repository root (SRCROOT). No timestamps: same input, same bytes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from brokerguard import provenance as prov
from brokerguard.catalog import Control
from brokerguard.config import git_top_level
from brokerguard.gate import BASELINED, GATING
from brokerguard.model import Location, Status
from brokerguard.policies.meta import text_of
from brokerguard.report.view import EVIDENCE_FIX, ControlView, FindingView, ReportView

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT = "brokerguard/v1"
SRCROOT = "SRCROOT"
# Where each rule's helpUri points when --help-base-url is not given: the checks page, one anchor per check.
DEFAULT_HELP_BASE = "https://github.com/brokerguard/brokerguard/blob/main/docs/checks.md"
# Trivy's mapping of a severity to GitHub's security-severity (0-10) and to a SARIF level.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}


def evidence_rule_id(control_id: str) -> str:
    return f"TWB_EVIDENCE.{control_id}"


class _Uris:
    """File URIs relative to the repository root (uriBaseId SRCROOT), absolute outside it."""

    def __init__(self, view: ReportView) -> None:
        root = view.options.repo_root or git_top_level(Path(view.paths[0]) if view.paths else Path.cwd())
        self.root = (root or Path.cwd()).resolve()

    def location(self, path: str) -> dict[str, Any]:
        full = Path(path).resolve()
        if full.is_relative_to(self.root):
            return {"uri": quote(full.relative_to(self.root).as_posix()), "uriBaseId": SRCROOT}
        return {"uri": full.as_uri()}

    def bases(self) -> dict[str, Any]:
        return {SRCROOT: {"uri": self.root.as_uri() + "/"}}


def _control_help(c: Control) -> str:
    return (f"Control {c.id} ({c.cc}): {c.name['en']} / {c.name['zh-TW']}. "
            f"{c.requirement['en']}")


def _precision(attestable: bool) -> str:
    # An absence ("the stack has no GuardDuty") may be realised outside the stack: less certain than a
    # property read on the resource itself.
    return "medium" if attestable else "high"


def _rule(rule_id: str, name: str, description: str, fix: str, c: Control, help_uri: str | None,
          severity: str | None, attestable: bool) -> dict[str, Any]:
    help_text = f"How to fix: {fix}\n\n{_control_help(c)}" if fix else _control_help(c)
    props: dict[str, Any] = {"control": c.id, "cc": c.cc, "control_name": c.name,
                             "tags": ["security", "compliance", c.cc, c.id], "precision": _precision(attestable)}
    if severity:
        props["security-severity"] = SECURITY_SEVERITY[severity]
        props["severity"] = severity
    rule: dict[str, Any] = {
        "id": rule_id,
        "name": name,
        "shortDescription": {"text": name},
        "fullDescription": {"text": description or name},
        "help": {"text": help_text, "markdown": help_text.replace("How to fix:", "**How to fix:**")},
        "defaultConfiguration": {"level": LEVEL.get(severity or "", "error")},
        "properties": props,
    }
    if help_uri:
        rule["helpUri"] = help_uri
    return rule


def _rules(view: ReportView) -> list[dict[str, Any]]:
    base = view.options.help_base_url or DEFAULT_HELP_BASE
    rules = []
    for c in view.catalog.controls:
        for rule_id in c.checks + c.stack_rules:
            meta = view.policies[rule_id].meta
            rules.append(_rule(rule_id, meta.name, meta.description, meta.fix, c, f"{base}#{rule_id.lower()}",
                               meta.severity, meta.attestable))
    return rules


def _evidence_descriptors(view: ReportView) -> list[dict[str, Any]]:
    """Evidence is declared in the profile, the tool's configuration: not a rule about code."""
    return [{"id": evidence_rule_id(c.id), "name": f"{c.name['en']}: valid evidence is declared",
             "shortDescription": {"text": f"{c.name['en']} / {c.name['zh-TW']}: valid evidence is declared"},
             "fullDescription": {"text": c.requirement["en"]},
             "help": {"text": f"How to fix: {EVIDENCE_FIX}\n\n{_control_help(c)}"},
             "properties": {"control": c.id, "cc": c.cc}}
            for c in view.catalog.controls if c.verification != "infrastructure"]


def _location(uris: _Uris, where: Location, logical: str | None = None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": uris.location(where.file)}
    if where.line >= 1:
        physical["region"] = {"startLine": where.line}
        if where.end_line >= where.line:
            physical["region"]["endLine"] = where.end_line
    location: dict[str, Any] = {"physicalLocation": physical}
    if logical:
        location["logicalLocations"] = [{"name": logical, "fullyQualifiedName": logical, "kind": "resource"}]
    return location


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def _finding_result(view: ReportView, uris: _Uris, c: ControlView, f: FindingView,
                    index: dict[str, int]) -> dict[str, Any]:
    # A finding on the whole stack is located where the provider is declared, never on an unrelated line.
    where = Location(f.file, f.line, f.end_line) if f.file else view.stack_location
    severity = f.severity
    text = f"{f.resource}: {f.message} (control {c.id}, {c.cc}; {'; '.join(c.sources('en'))})"
    result: dict[str, Any] = {
        "ruleId": f.check_id,
        "ruleIndex": index[f.check_id],
        "level": LEVEL.get(severity or "", "error"),
        "message": {"text": f"{text}. How to fix: {f.fix}" if f.fix else text},
        "locations": [_location(uris, where, f.resource)],
        "partialFingerprints": {FINGERPRINT: _fingerprint(f.check_id, f.resource, f.file)},
        "properties": {"control": c.id, "cc": c.cc, "resource": f.resource, "control_status": c.status.value,
                       "fix": f.fix, "gate": f.gate,
                       "zh-TW": {"message": text_of(f.message, "zh-TW"), "fix": text_of(f.fix, "zh-TW")}},
    }
    if view.gate.options.baseline is not None and f.result == "failed":
        result["baselineState"] = "unchanged" if f.gate == BASELINED else "new"
    if f.waiver:
        w = f.waiver
        why = f"{w.reason} (approved by {w.approver}, expires {w.expiry}"
        why += f", ticket {w.ticket})" if w.ticket else ")"
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": why}]
    return result


def _evidence_notification(view: ReportView, uris: _Uris, c: ControlView, index: dict[str, int]) -> dict[str, Any]:
    descriptor = evidence_rule_id(c.id)
    detail = "; ".join(c.notes) or "no valid evidence declared"
    gating = view.gate.controls.get(c.id) == GATING
    note: dict[str, Any] = {
        "level": "error" if gating else "warning",
        "descriptor": {"id": descriptor, "index": index[descriptor]},
        "message": {"text": f"{c.id} ({c.cc}) is shown only by evidence, and none valid is declared: {detail}. "
                            f"How to fix: {EVIDENCE_FIX}"},
        "properties": {"control": c.id, "cc": c.cc, "control_status": c.status.value,
                       "gate": view.gate.controls.get(c.id, "")},
    }
    if view.provenance.profile_file:
        note["locations"] = [_location(uris, Location(view.provenance.profile_file))]
    return note


def to_dict(view: ReportView) -> dict[str, Any]:
    uris = _Uris(view)
    rules = _rules(view)
    index = {r["id"]: i for i, r in enumerate(rules)}
    descriptors = _evidence_descriptors(view)
    note_index = {d["id"]: i for i, d in enumerate(descriptors)}
    results, seen = [], set()
    for c in view.controls:
        for f in c.problems:
            # A control that includes another (APT defence) repeats its findings: one result, under the first.
            if f.result in ("failed", "waived") and (f.check_id, f.resource, f.file) not in seen:
                seen.add((f.check_id, f.resource, f.file))
                results.append(_finding_result(view, uris, c, f, index))
    evidence = [_evidence_notification(view, uris, c, note_index) for c in view.controls
                if c.status is Status.EVIDENCE_MISSING]
    unjudged = [{"level": "error", "descriptor": {"id": c.id},
                 "message": {"text": f"{c.id} ({c.cc}) could not be judged: {'; '.join(c.notes)}"}}
                for c in view.controls if c.status is Status.ERROR]
    # An inline skip in the code is not a suppression of any result: each is a warning that says so.
    warnings = [{"level": "warning", "descriptor": {"id": s.check or "checkov:skip"},
                "locations": [_location(uris, Location(s.file, s.line))],
                "message": {"text": f"{s.syntax}{s.check} ({s.reason}) not applied: inline suppressions change no "
                                    f"verdict; waive in the profile's waiver register"}}
               for s in view.suppressions]
    warnings += [{"level": "warning", "descriptor": {"id": "brokerguard.drift"}, "message": {"text": str(n)}}
                for n in view.notes]
    p = view.provenance
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "brokerguard", "version": p.brokerguard_version,
                                "semanticVersion": p.brokerguard_version, "rules": rules,
                                "notifications": descriptors}},
            # A control that could not be judged (scan-aws: a service denied, a region unreachable) is a
            # tool execution problem, not a finding on a resource; missing evidence is a gap in the
            # profile, the tool's configuration.
            "invocations": [{"executionSuccessful": not unjudged, "exitCode": view.exit_code,
                             "toolExecutionNotifications": unjudged + warnings,
                             "toolConfigurationNotifications": evidence}],
            "originalUriBaseIds": uris.bases(),
            "artifacts": [{"location": uris.location(f.path), "hashes": {"sha-256": f.sha256}} for f in p.inputs],
            "results": results,
            "columnKind": "unicodeCodePoints",
            "properties": {
                "broker": view.broker, "tier": view.tier, "as_of": view.as_of.isoformat(), "passed": view.passed,
                "rule_sets": [rid for rid, _ in view.rule_sets],
                "controls": [{"id": c.id, "cc": c.cc, "status": c.status.value, "judged": c.judged,
                              "rule_sets": list(c.rule_sets), "sources": c.sources("en")}
                             for c in view.controls],
                "gate": {"mode": view.gate.options.mode, "exit_code": view.gate.exit_code,
                         "baseline_fixed": [{"check_id": e.check_id, "resource": e.resource}
                                            for e in view.gate.fixed]},
                "provenance": prov.to_dict(p),
            },
        }],
    }


def render(view: ReportView) -> str:
    return json.dumps(to_dict(view), ensure_ascii=False, indent=2) + "\n"
