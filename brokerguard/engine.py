"""Join findings with the catalog and the broker profile into one status per control.

This is the only place where tiers and dates matter: a check never asks which tier it runs for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from brokerguard.catalog import Catalog, Control, Obligation
from brokerguard.model import Finding, Status
from brokerguard.policies.meta import Text, text_of
from brokerguard.profile import Evidence, Profile, Waiver

# How a control was judged, in the words every report renders (brokerguard.report.i18n translates them).
AUTOMATED, AUTOMATED_EVIDENCE, EVIDENCE = "automated", "automated+evidence", "evidence"


@dataclass(frozen=True)
class JudgedFinding:
    finding: Finding
    waiver: Waiver | None = None

    @property
    def result(self) -> str:
        if self.finding.passed:
            return "passed"
        return "waived" if self.waiver else "failed"


@dataclass
class ControlResult:
    control: Control
    status: Status
    decided_by: str  # tier | date | checks | evidence | waiver | error
    findings: list[JudgedFinding] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    waivers: list[Waiver] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def failed_findings(self) -> list[JudgedFinding]:
        return [f for f in self.findings if f.result == "failed"]

    @property
    def judged(self) -> str:
        """How the control was judged: automated, automated+evidence, or evidence."""
        mode = self.control.verification
        if mode == "infrastructure+evidence" or (mode == "infrastructure" and self.decided_by == "evidence"):
            return AUTOMATED_EVIDENCE
        if mode == "evidence" or (mode == "infrastructure-or-evidence" and not self.findings):
            return EVIDENCE
        return AUTOMATED


def _evidence_problem(e: Evidence, ob: Obligation, as_of: dt.date) -> Text | None:
    if e.date > as_of:
        return Text(f"dated {e.date}, after the as-of date {as_of}", f"日期為 {e.date}，晚於基準日 {as_of}")
    if e.expiry is not None and e.expiry < as_of:
        return Text(f"expired on {e.expiry}", f"已於 {e.expiry} 到期")
    if ob.expiry_required and e.expiry is None:
        return Text("has no expiry date, and this obligation needs a certificate that carries one",
                    "未載明到期日，而此義務須提出載有到期日的證書")
    if ob.max_age_days is not None and (as_of - e.date).days > ob.max_age_days:
        return Text(f"dated {e.date}, older than {ob.max_age_days} days", f"日期為 {e.date}，已超過 {ob.max_age_days} 天")
    return None


def _evidence_for(control: Control, ob: Obligation, profile: Profile, as_of: dt.date,
                  notes: list[str]) -> Evidence | None:
    accepted = {ob.id, *ob.also_met_by}
    for e in profile.evidence:
        if e.control != control.id or (e.obligation is not None and e.obligation not in accepted):
            continue
        problem = _evidence_problem(e, ob, as_of)
        if problem is None:
            return e
        notes.append(Text(f"evidence {e.text!r} is not counted: {problem}", f"佐證「{e.text}」不予採計：{problem.zh}"))
    return None


def _judge_evidence(control: Control, obligations: tuple[Obligation, ...], profile: Profile,
                    as_of: dt.date, notes: list[str]) -> tuple[list[Evidence], list[str]]:
    """Valid evidence per in-force obligation, and the obligations that have none."""
    found, missing = [], []
    for ob in obligations:
        e = _evidence_for(control, ob, profile, as_of, notes)
        if e is None:
            missing.append(ob.id)
        elif e not in found:
            found.append(e)
    return found, missing


def _live_waiver(waivers: tuple[Waiver, ...], targets: tuple[str, ...], resource: str, as_of: dt.date,
                 notes: list[str]) -> Waiver | None:
    for w in waivers:
        if any(w.covers(t, resource) for t in targets):
            if w.live(as_of):
                return w
            note = Text(f"waiver by {w.approver} for {w.target} on {w.resources} expired on {w.expiry}",
                        f"{w.approver} 核准之豁免（{w.target}，{w.resources}）已於 {w.expiry} 到期")
            if note not in notes:
                notes.append(note)
    return None


def evaluate_control(control: Control, profile: Profile, as_of: dt.date, findings: list[Finding],
                     errors: Mapping[str, str] | None = None) -> ControlResult:
    """``findings`` and ``errors`` (check id -> why it could not be judged) are those of the checks deciding it."""
    applicable = control.applicable(profile.tier)
    if not applicable:
        tiers = ", ".join(map(str, sorted(control.tiers)))
        return ControlResult(control, Status.NOT_APPLICABLE, "tier",
                             notes=[Text(f"required for tiers {tiers}", f"適用於第 {tiers} 級")])
    in_force = control.in_force(profile.tier, as_of)
    if not in_force:
        start = min(o.in_force for o in applicable)
        return ControlResult(control, Status.NOT_IN_FORCE, "date", notes=[
            Text(f"in force for tier {profile.tier} from {start}", f"第 {profile.tier} 級自 {start} 起適用")])

    unjudged = [Text(f"{cid} could not be judged: {why}", f"{cid} 無法判定：{text_of(why, 'zh-TW')}")
                for cid, why in (errors or {}).items()]
    if unjudged:
        # What the checks that could be judged say: a failure there stands whatever the rest would show;
        # anything else (a pass, a waiver, evidence) would rest on what was not read.
        judged_part = evaluate_control(control, profile, as_of, [f for f in findings if f.check_id not in errors])
        if judged_part.status is Status.FAIL:
            judged_part.notes += unjudged
            return judged_part
        return ControlResult(control, Status.ERROR, "error", findings=[JudgedFinding(f) for f in findings],
                             notes=unjudged)
    notes: list[str] = []
    whole = _live_waiver(profile.waivers, (control.id,), "*", as_of, notes)
    judged = [JudgedFinding(f, None if f.passed else
                            _live_waiver(profile.waivers, (f.check_id, control.id), f.resource, as_of, notes))
              for f in findings]
    evidence, missing = _judge_evidence(control, in_force, profile, as_of, notes)
    result = ControlResult(control, Status.PASS, "checks", findings=judged, evidence=evidence, notes=notes)
    waived = [j.waiver for j in judged if j.waiver]
    failed = [j for j in judged if j.result == "failed"]

    mode = control.verification
    if mode == "infrastructure-or-evidence":
        mode = "infrastructure" if findings else "evidence"
    if whole:
        result.status, result.decided_by, result.waivers = Status.WAIVED, "waiver", [whole]
    elif mode == "evidence":
        result.decided_by = "evidence"
        result.status = Status.EVIDENCE_MISSING if missing else Status.ATTESTED
        if control.verification != "evidence":
            notes.append(Text("no resource in this stack is in scope of this control's checks; evidence decides",
                              "此堆疊中沒有屬於本控制檢查範圍的資源；由佐證判定"))
    elif any(not j.finding.attestable for j in failed):
        result.status = Status.FAIL
    elif failed and not missing:
        # Only "the stack must contain X" rules failed, and the profile declares X exists elsewhere.
        result.status, result.decided_by = Status.ATTESTED, "evidence"
    elif failed:
        result.status = Status.FAIL
    elif mode == "infrastructure+evidence" and missing:
        result.status, result.decided_by = Status.EVIDENCE_MISSING, "evidence"
    elif waived:
        result.status, result.decided_by = Status.WAIVED, "waiver"
    elif not findings:
        notes.append(Text("no resource in this stack is in scope of this control's checks",
                          "此堆疊中沒有屬於本控制檢查範圍的資源"))
    only_absences = bool(failed) and all(j.finding.attestable for j in failed)
    if missing and (result.status is Status.EVIDENCE_MISSING or only_absences):
        notes.append(Text(f"no valid evidence declared for: {', '.join(missing)}",
                          f"下列義務未宣告有效佐證：{'、'.join(missing)}"))
    result.waivers = result.waivers or list(dict.fromkeys(waived))
    if mode == "infrastructure" and result.status is not Status.ATTESTED:
        result.evidence = []  # evidence did not decide: do not suggest it did
    return result


def evaluate(catalog: Catalog, profile: Profile, as_of: dt.date, findings: list[Finding],
             errors: Mapping[str, str] | None = None) -> list[ControlResult]:
    """One result per control of the catalog, in catalog order: nothing is left out.

    ``errors``: check or rule id -> why it could not be judged; its control is `error`.
    """
    by_control: dict[str, list[Finding]] = {c.id: [] for c in catalog.controls}
    for f in findings:
        owner = catalog.control_of(f.check_id)
        if owner is not None:
            by_control[owner.id].append(f)
    results = {c.id: evaluate_control(c, profile, as_of, by_control[c.id], _errors_of(catalog, c, errors))
               for c in catalog.controls if not c.includes}
    for c in catalog.controls:
        if c.includes:
            results[c.id] = _evaluate_including(catalog, c, profile, as_of, by_control, results, errors)
    return [results[c.id] for c in catalog.controls]


def _errors_of(catalog: Catalog, control: Control, errors: Mapping[str, str] | None) -> dict[str, str]:
    return {k: v for k, v in (errors or {}).items() if k in catalog.deciding(control)}


def _evaluate_including(catalog: Catalog, control: Control, profile: Profile, as_of: dt.date,
                        by_control: dict[str, list[Finding]], results: dict[str, ControlResult],
                        errors: Mapping[str, str] | None) -> ControlResult:
    """A control that includes others (APT defence includes threat detection) is decided by their findings
    too; an absence an included control has attested by its own evidence is not judged again."""
    findings, notes = list(by_control[control.id]), []
    for cid in control.includes:
        attested = results[cid].status is Status.ATTESTED
        for f in by_control[cid]:
            if attested and f.attestable and not f.passed:
                notes.append(Text(f"{f.check_id} absent here, realised elsewhere per the evidence of {cid}",
                                  f"{f.check_id} 此處未見，依 {cid} 的佐證已於他處落實"))
            else:
                findings.append(f)
    result = evaluate_control(control, profile, as_of, findings, _errors_of(catalog, control, errors))
    if result.decided_by not in ("tier", "date"):
        result.notes.extend(dict.fromkeys(notes))
    return result
