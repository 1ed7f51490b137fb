"""The JSON report (schema in docs/report-json.md): stable keys, stable order."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from brokerguard import __version__, provenance
from brokerguard.baseline import Entry
from brokerguard.drift import Drift, Item
from brokerguard.engine import ControlResult, JudgedFinding
from brokerguard.gate import Gate
from brokerguard.model import Status
from brokerguard.policies.meta import LANGS, text_of
from brokerguard.profile import Evidence, Waiver
from brokerguard.report.sources import obligation_dict
from brokerguard.report.view import ControlView, FindingView, ReportView
from brokerguard.scan import ScanResult

# 2: provenance, controls[].judged, waivers[] register; 3: findings[].fix and .gate, the gate section;
# 4: rule_sets, facts, category_definitions, each control's rule sets and obligations with their source
SCHEMA_VERSION = 4


def _finding(j: JudgedFinding, v: FindingView) -> dict[str, Any]:
    f = j.finding
    out = {"check_id": f.check_id, "check_name": f.check_name, "resource": f.resource, "file": f.file,
           "line": f.line, "result": j.result, "message": f.message, "guideline": f.guideline,
           "severity": f.severity, "fix": f.fix,
           # The same texts in both languages (message and fix are declared bilingual beside each check).
           "texts": {lang: {"message": text_of(f.message, lang), "fix": text_of(f.fix, lang)} for lang in LANGS}}
    if j.result == "failed":
        out["gate"] = v.gate
    if j.waiver:
        out["waiver"] = _waiver(j.waiver)
    return out


def _evidence(e: Evidence) -> dict[str, Any]:
    return {"control": e.control, "obligation": e.obligation, "text": e.text, "date": e.date.isoformat(),
            "expiry": e.expiry.isoformat() if e.expiry else None, "reference": e.reference}


def _waiver(w: Waiver) -> dict[str, Any]:
    return {"target": w.target, "resources": w.resources, "reason": w.reason, "approver": w.approver,
            "expiry": w.expiry.isoformat(), "ticket": w.ticket, "compensating_control": w.compensating_control}


def _gate(gate: Gate) -> dict[str, Any]:
    o = gate.options

    def entry(e: Entry) -> dict[str, str]:
        return {"check_id": e.check_id, "resource": e.resource, "fingerprint": e.fingerprint}

    return {"mode": o.mode, "soft_fail": o.soft_fail, "exit_code": gate.exit_code,
            "baseline": {"path": o.baseline.path, "sha256": o.baseline.sha256} if o.baseline else None,
            "changed_files": len(o.changed_files) if o.changed_files is not None else None,
            "failing_controls": gate.controls,
            "baseline_fixed": [entry(e) for e in gate.fixed], "baseline_changed": [entry(e) for e in gate.changed]}


def _control(r: ControlResult, v: ControlView, definitions: dict[str, str]) -> dict[str, Any]:
    c = r.control
    return {
        "id": c.id, "cc": c.cc, "name": c.name, "scope": c.scope, "verification": c.verification,
        "status": r.status.value, "decided_by": r.decided_by, "judged": r.judged,
        "rule_sets": list(c.rule_sets),
        # Every obligation of the selected sets, and which of them judged it (in force for this broker).
        "obligations": [{**obligation_dict(o, definitions), "judged": o in r.obligations} for o in c.obligations],
        "checks": list(c.checks + c.stack_rules),
        "findings": [_finding(j, fv) for j, fv in zip(r.findings, v.findings, strict=True)],
        "evidence": [_evidence(e) for e in r.evidence],
        "waivers": [_waiver(w) for w in r.waivers],
        "notes": r.notes,
        "notes_zh-TW": [text_of(n, "zh-TW") for n in r.notes],
    }


def _drift(drift: Drift) -> dict[str, Any]:
    def items(xs: tuple[Item, ...]) -> list[dict[str, str]]:
        return [{"protection": i.protection, "subject": i.subject, "where": i.where} for i in xs]
    return {"compared_with": drift.compared_with, "live_not_in_code": items(drift.only_live),
            "code_not_live": items(drift.only_code)}


def to_dict(scan: ScanResult, view: ReportView) -> dict[str, Any]:
    counts = Counter(r.status.value for r in scan.results)
    doc = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "brokerguard", "version": __version__},
        "tier": scan.tier,
        "as_of": scan.as_of.isoformat(),
        "profile": {"name": scan.profile.name, "file": scan.profile.source},
        "paths": list(scan.paths),
        "sources": [{"path": path, "kind": kind} for path, kind in scan.sources],
        "unmapped_types": list(scan.unmapped_types),
        "not_inspectable": list(scan.not_inspectable),
        "left_out": list(scan.left_out),
        "unread": [{"type": t, "why": why} for t, why in scan.unread],
        "notes": list(scan.notes),
        "suppressions": [{"file": s.file, "line": s.line, "check": s.check, "reason": s.reason, "syntax": s.syntax,
                          "applied": False} for s in scan.suppressions],
        "rule_sets": [{"id": rid, "name": name} for rid, name in view.rule_sets],
        "facts": scan.profile.facts,
        "category_definitions": scan.profile.definitions,
        "controls": [_control(r, v, scan.profile.definitions) for r, v in zip(scan.results, view.controls, strict=True)],
        "gate": _gate(view.gate),
        "waivers": [{"control": e.control, "expired": e.expired, **_waiver(e.waiver)} for e in view.waivers],
        "provenance": provenance.to_dict(view.provenance),
        "summary": {
            "passed": scan.passed,
            "exit_code": view.gate.exit_code,
            "resources": len(scan.resources),
            "counts": {s.value: counts.get(s.value, 0) for s in Status},
            "failing_controls": [r.control.id for r in scan.results if r.status.failing],
        },
    }
    if scan.drift is not None:
        doc["drift"] = _drift(scan.drift)
    return doc


def render(scan: ScanResult, view: ReportView) -> str:
    return json.dumps(to_dict(scan, view), ensure_ascii=False, indent=2) + "\n"
