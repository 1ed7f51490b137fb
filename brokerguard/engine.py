"""Join findings with the catalog and the broker profile into one status per control.

This is the only place where tiers and dates matter: a check never asks which tier it runs for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from brokerguard.applicability import Answer
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
    decided_by: str  # tier (who must: tier, category, facts) | date | checks | evidence | waiver | error
    findings: list[JudgedFinding] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    waivers: list[Waiver] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # The obligations that judged it (in force and applying, or assumed to): each names its rule set and source.
    obligations: tuple[Obligation, ...] = ()

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
    # Evidence names an obligation by its id, or by rule_set:id where two rule sets use the same id.
    accepted = {ob.id, ob.key, *ob.also_met_by, *(f"{ob.rule_set}:{other}" for other in ob.also_met_by)}
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
            missing.append(ob.id if len(control.rule_sets) == 1 else ob.key)
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


def _applicability(control: Control, profile: Profile, as_of: dt.date
                   ) -> tuple[tuple[Obligation, ...], ControlResult | None, list[str]]:
    """The obligations in force for this broker, or the not_applicable / not_in_force result; and the notes
    saying which rule set made it apply where another would not (the stricter applies) and what was assumed."""
    answers = {o.key: o.applies(profile.tier, profile.facts, profile.definitions) for o in control.obligations}
    applicable = tuple(o for o in control.obligations if answers[o.key][0] is not Answer.NO)
    d = profile.definitions
    whom = Text("; ".join(f"required by {o.rule_set} for {o.who(d)}" for o in control.obligations),
                "；".join(f"{o.rule_set} 規定適用於{o.who(d, 'zh-TW')}" for o in control.obligations))
    if not applicable:
        return (), ControlResult(control, Status.NOT_APPLICABLE, "tier", notes=[whom]), []
    in_force = tuple(o for o in applicable if o.in_force <= as_of)
    if not in_force:
        start = min(o.in_force for o in applicable)
        return (), ControlResult(control, Status.NOT_IN_FORCE, "date", notes=[
            Text(f"in force for this broker from {start} ({whom})", f"本券商自 {start} 起適用（{whom.zh}）")]), []
    notes: list[Text] = []
    for o in in_force:
        undeclared = ", ".join(f"facts.{f}" for f in answers[o.key][1])
        if undeclared:
            notes.append(Text(f"assumed to apply ({o.key}): the profile does not declare {undeclared}; "
                              f"declare true or false (fail closed)",
                              f"推定適用（{o.key}）：設定檔未宣告 {undeclared}；請宣告 true 或 false（未宣告即從嚴）"))
    others = [o for o in control.obligations if o.rule_set not in {i.rule_set for i in in_force}]
    if others:
        def listed(obligations: Iterable[Obligation], show: Callable[[Obligation, str], str], lang: str) -> str:
            return ("；" if lang == "zh-TW" else "; ").join(dict.fromkeys(show(o, lang) for o in obligations))

        cited = {lang: listed(in_force, lambda o, lg: o.cite(lg), lang) for lang in ("en", "zh-TW")}
        binds = {lang: listed(in_force, lambda o, lg: o.who(d, lg), lang) for lang in ("en", "zh-TW")}
        notes.append(Text(
            f"required by {cited['en']}, which binds {binds['en']}; "
            f"{listed(others, lambda o, lg: f'{o.rule_set} binds only {o.who(d, lg)}', 'en')}: the stricter applies",
            f"依 {cited['zh-TW']} 應辦（適用於{binds['zh-TW']}）；"
            f"{listed(others, lambda o, lg: f'{o.rule_set} 僅適用於{o.who(d, lg)}', 'zh-TW')}：從嚴適用"))
    ages = sorted({o.max_age_days for o in in_force if o.max_age_days})
    if len(ages) > 1:
        listed = ", ".join(map(str, ages))
        notes.append(Text(f"evidence must be at most {ages[0]} days old (the stricter of {listed})",
                          f"佐證須在 {ages[0]} 天內（取 {listed} 中較嚴者）"))
    return in_force, None, notes


def evaluate_control(control: Control, profile: Profile, as_of: dt.date, findings: list[Finding],
                     errors: Mapping[str, str] | None = None) -> ControlResult:
    """``findings`` and ``errors`` (check id -> why it could not be judged) are those of the checks deciding it."""
    in_force, decided, why = _applicability(control, profile, as_of)
    if decided is not None:
        return decided
    result = _judge(control, in_force, profile, as_of, findings, errors)
    result.obligations = in_force
    result.notes[:0] = why
    return result


def _judge(control: Control, in_force: tuple[Obligation, ...], profile: Profile, as_of: dt.date,
           findings: list[Finding], errors: Mapping[str, str] | None) -> ControlResult:
    """The status from findings, evidence and waivers, once the control is known to bind this broker."""
    unjudged = [Text(f"{cid} could not be judged: {why}", f"{cid} 無法判定：{text_of(why, 'zh-TW')}")
                for cid, why in (errors or {}).items()]
    if unjudged:
        # What the checks that could be judged say: a failure there stands whatever the rest would show;
        # anything else (a pass, a waiver, evidence) would rest on what was not read.
        judged_part = _judge(control, in_force, profile, as_of, [f for f in findings if f.check_id not in errors], None)
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
    elif failed and all(j.finding.evidence_gap for j in failed):
        # What is not in code may exist outside it (a scrubbing service): unshown, not shown missing.
        result.status, result.decided_by = Status.EVIDENCE_MISSING, "evidence"
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
