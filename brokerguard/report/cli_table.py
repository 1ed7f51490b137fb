"""The terminal report: one line per control, failing resources with file, line and fix beneath, in --lang."""

from __future__ import annotations

from collections import Counter

from brokerguard.drift import Drift
from brokerguard.gate import BASELINED, GATING, OUTSIDE_CHANGE, describe
from brokerguard.model import Status
from brokerguard.policies.meta import guideline
from brokerguard.provenance import Provenance
from brokerguard.report import i18n
from brokerguard.report.i18n import control_name, text, text_of
from brokerguard.report.view import ReportView
from brokerguard.scan import ScanResult

COLOURS = {
    Status.PASS: "32", Status.ATTESTED: "36", Status.WAIVED: "33", Status.FAIL: "31",
    Status.EVIDENCE_MISSING: "31", Status.NOT_APPLICABLE: "90", Status.NOT_IN_FORCE: "90", Status.ERROR: "35",
}


def _by_reason(unread: tuple[tuple[str, str], ...]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for rtype, why in unread:
        grouped.setdefault(why, []).append(rtype)
    return grouped


def _provenance_line(p: Provenance, lang: str) -> str:
    commits = ", ".join(f"{g.commit[:12]}{text(lang, 't_dirty') if g.dirty else ''}" for g in p.git)
    return text(lang, "t_provenance", bg=p.brokerguard_version, checkov=p.checkov_version, sha=p.catalog_sha256[:12],
                commit=text(lang, "t_commit", commits=commits) if commits else "", n=len(p.inputs))


def _label(status: Status, lang: str, width: int) -> str:
    word = status.value.upper() if lang == "en" else i18n.status(lang, status.value)
    return word + " " * max(0, width - i18n.display_width(word))


def render(scan: ScanResult, view: ReportView, lang: str = "en", colour: bool = False, quiet: bool = False) -> str:
    def paint(status: Status, label: str) -> str:
        return f"\033[{COLOURS[status]}m{label}\033[0m" if colour else label

    who = f"{scan.profile.name}, " if scan.profile.name else ""
    lines = [text(lang, "t_header", who=who, tier=scan.tier, as_of=scan.as_of, n=len(scan.resources),
                  paths=", ".join(scan.paths)), _provenance_line(view.provenance, lang),
             f"{text(lang, 'rule_sets')}: {', '.join(scan.rule_sets)}", ""]
    width = max(i18n.display_width(_label(s, lang, 0)) for s in Status)
    marks = {BASELINED: text(lang, "t_failed_baselined"), OUTSIDE_CHANGE: text(lang, "t_failed_outside"),
             GATING: text(lang, "t_failed")}
    for r, c in zip(scan.results, view.controls, strict=True):
        if quiet and not r.status.failing:
            continue
        lines.append(f"{paint(r.status, _label(r.status, lang, width))}  {c.id:<24} {c.cc}  {control_name(c.name, lang)}"
                     f"  [{', '.join(c.rule_sets)}]")
        lines += [f"    {text(lang, 'source')}: {source}" for source in c.sources(lang)]
        for f in c.findings:
            if f.result == "passed":
                continue
            where = f" ({f.file}:{f.line})" if f.file else ""
            if f.waiver:
                mark = text(lang, "waived_by", approver=f.waiver.approver, expiry=f.waiver.expiry)
            elif f.result == "attested":
                mark = text(lang, "t_attested")
            else:
                mark = marks[f.gate]
            lines.append(f"    {f.check_id} {mark}: {f.resource}{where}")
            lines.append(f"        {text_of(f.message, lang)}")
            if f.fix and r.status.failing:
                lines.append(f"        {text(lang, 't_fix')}: {text_of(f.fix, lang)} ({guideline(f.check_id)})")
        for e in r.evidence:
            expiry = text(lang, "t_expires", expiry=e.expiry) if e.expiry else ""
            lines.append(f"    {text(lang, 't_evidence')}: {e.text} ({e.date}{expiry})")
        for w in r.waivers:
            if r.status is Status.WAIVED:
                lines.append(f"    {text(lang, 't_waiver', reason=w.reason, approver=w.approver, expiry=w.expiry)}")
        for note in r.notes:
            if r.status.failing or r.status in (Status.NOT_APPLICABLE, Status.NOT_IN_FORCE) or "expired" in note:
                lines.append(f"    {text(lang, 't_note')}: {text_of(note, lang)}")
    for part in scan.not_inspectable:
        lines.append(f"{text(lang, 't_not_judged')}  {text_of(part, lang)}")
    for why, types in _by_reason(scan.unread).items():
        lines.append(f"{text(lang, 't_not_read')}    {', '.join(types)}: {text_of(why, lang)}")
    for file in scan.left_out:
        lines.append(text(lang, "t_left_out", file=file))
    for note in scan.notes:
        lines.append(f"{text(lang, 't_drift')}       {text_of(note, lang)}")
    for s in scan.suppressions:
        lines.append(text(lang, "t_suppression", syntax=s.syntax, check=s.check, file=s.file, line=s.line,
                          reason=s.reason))
    if scan.unmapped_types:
        lines.append(f"{text(lang, 't_note')}: {text(lang, 't_unmapped')}: {', '.join(scan.unmapped_types)}")
    for e in view.gate.fixed:
        lines.append(text(lang, "t_baseline_fixed", check=e.check_id, resource=e.resource))
    for e in view.gate.changed:
        lines.append(text(lang, "t_baseline_changed", check=e.check_id, resource=e.resource))
    counts = Counter(r.status for r in scan.results)
    sep = "、" if lang == "zh-TW" else ", "
    summary = sep.join(f"{counts[s]} {s.value if lang == 'en' else i18n.status(lang, s.value)}"
                       for s in Status if counts[s])
    verdict = "t_passed" if scan.passed else "t_incomplete" if scan.exit_code == 2 else "t_failed_verdict"
    lines += ["", describe(view.gate, lang),
              text(lang, verdict) + text(lang, "t_summary", summary=summary, n=len(scan.results))]
    if scan.drift is not None:
        lines += _drift_lines(scan.drift)
    return "\n".join(lines) + "\n"


def _drift_lines(drift: Drift) -> list[str]:
    lines = ["", f"Drift against {drift.compared_with}:"]
    if not drift.only_live and not drift.only_code:
        lines.append("  none: every protection declared runs, and every protection running is declared")
    for title, xs in (("running but not in code", drift.only_live), ("in code but not running", drift.only_code)):
        for i in xs:
            lines.append(f"  {title}: {i.protection} on {i.subject} ({i.where})")
    return lines
