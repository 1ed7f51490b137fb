"""A pull-request comment: tier, one verdict line, the failing controls with resources and fixes, the rest collapsed."""

from __future__ import annotations

from brokerguard.model import Status
from brokerguard.report.i18n import control_name, judged, status, suppression_line, text, text_of
from brokerguard.report.view import ERROR_FIX, EVIDENCE_FIX, ControlView, ReportView, WaiverEntry

# GitHub refuses comments over 65,536 characters: past this many failing rows, point to the full reports.
MAX_FAILING_ROWS = 60


def _cell(value: object) -> str:
    """A table cell: pipes escaped, line breaks kept as <br>."""
    return str(value).replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def _row(*cells: object) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _sources(c: ControlView, lang: str) -> list[str]:
    """The source of each obligation that judged the control, shown beside it."""
    return [f"{text(lang, 'source')}: {s}" for s in c.sources(lang)]


def _notes(notes: tuple[str, ...], lang: str) -> str:
    return ("；" if lang == "zh-TW" else "; ").join(text_of(n, lang) for n in notes)


def _failing_rows(view: ReportView, lang: str) -> list[str]:
    rows = [_row(text(lang, "control"), text(lang, "cc"), text(lang, "status"), text(lang, "resource"),
                 text(lang, "message"), text(lang, "fix")), "|---|---|---|---|---|---|"]
    body = []
    for c in view.failing:
        name = f"**{control_name(c.name, lang)}** (`{c.id}`)"
        cite = "\n" + "\n".join(_sources(c, lang))
        if c.status is Status.ERROR:  # its failed findings rest on what could not be read: say that first
            body.append(_row(name, c.cc, status(lang, c.status.value), "—", _notes(c.notes, lang) + cite,
                             text_of(ERROR_FIX, lang)))
        failed = [f for f in c.own_problems if f.result == "failed"]
        for f in failed:
            where = f"`{f.resource}`" + (f" (`{f.file}:{f.line}`)" if f.file else "")
            body.append(_row(name, c.cc, status(lang, c.status.value), where,
                             f"{f.check_id}: {text_of(f.message, lang)}" + cite, text_of(f.fix, lang)))
        # An including control (APT defence) points to the rows of the controls it includes.
        included = [f for f in c.problems if f.result == "failed" and f not in failed]
        if included:
            owners = ", ".join(f"`{o}`" for o in dict.fromkeys(f.owner for f in included))
            body.append(_row(name, c.cc, status(lang, c.status.value), "—",
                             f"{text(lang, 'included', n=len(included))}: {owners}", ""))
        if not failed and not included and c.status is not Status.ERROR:  # evidence decides, none valid
            body.append(_row(name, c.cc, status(lang, c.status.value), "—", _notes(c.notes, lang) + cite,
                             text_of(EVIDENCE_FIX, lang)))
    if len(body) > MAX_FAILING_ROWS:
        more = len(body) - MAX_FAILING_ROWS
        body = body[:MAX_FAILING_ROWS] + [_row("…", "", "", text(lang, "more_rows", n=more), "", "")]
    return rows + body


def _other_rows(view: ReportView, lang: str) -> list[str]:
    rows = [_row(text(lang, "control"), text(lang, "cc"), text(lang, "status"), text(lang, "judged"),
                 text(lang, "details")), "|---|---|---|---|---|"]
    for c in view.controls:
        if c.failing:
            continue
        detail = [e.text for e in c.evidence]
        detail += [text(lang, "waived_by", approver=f.waiver.approver, expiry=f.waiver.expiry) + f": `{f.resource}`"
                   for f in c.problems if f.waiver]
        detail += [*(text_of(n, lang) for n in c.notes), *_sources(c, lang)]
        rows.append(_row(f"{control_name(c.name, lang)} (`{c.id}`)", c.cc, status(lang, c.status.value),
                         judged(lang, c.judged), "\n".join(detail)))
    return rows


def _waiver_rows(entries: tuple[WaiverEntry, ...], lang: str) -> list[str]:
    rows = [_row(text(lang, "control"), text(lang, "target"), text(lang, "approver"), text(lang, "reason"),
                 text(lang, "compensating"), text(lang, "ticket"), text(lang, "expiry")), "|---|---|---|---|---|---|---|"]
    for e in entries:
        w = e.waiver
        expiry = f"{w.expiry} **{text(lang, 'expired')}**" if e.expired else str(w.expiry)
        rows.append(_row(e.control, f"`{w.target}` `{w.resources}`", w.approver, w.reason,
                         w.compensating_control or "—", w.ticket or "—", expiry))
    return rows


def _provenance(view: ReportView, lang: str) -> list[str]:
    p = view.provenance
    lines = [f"- {text(lang, 'versions')}: brokerguard {p.brokerguard_version}, Checkov {p.checkov_version}, "
             f"catalog schema {p.catalog_schema_version} (sha256 `{p.catalog_sha256[:16]}…`)",
             f"- {text(lang, 'profile')}: {p.profile_file or text(lang, 'none')}"]
    for g in p.git:
        lines.append(f"- {text(lang, 'git_commit')} ({g.path}): `{g.commit}`" + (f" ({text(lang, 'dirty')})" if g.dirty else ""))
    lines.append(f"- {text(lang, 'inputs')}:")
    lines += [f"  - `{f.path}` `{f.sha256}`" for f in p.inputs]
    return lines


def render(view: ReportView, lang: str) -> str:
    who = f"{view.broker}, " if view.broker else ""
    verdict = (f"✅ {text(lang, 'verdict_pass')}" if view.passed
               else f"❌ {text(lang, 'verdict_fail', n=len(view.failing))}")
    counts = ", ".join(f"{status(lang, s)} {n}" for s, n in view.counts.items() if n)
    out = [f"## brokerguard: {who}{text(lang, 'tier_n', n=view.tier)} · {text(lang, 'as_of')}: {view.as_of}", "",
           f"{text(lang, 'rule_sets')}: " + ", ".join(f"`{rid}` ({name[lang]})" for rid, name in view.rule_sets), "",
           f"**{verdict}** ({counts})", ""]
    if view.left_out:
        out += [text(lang, "left_out", files=", ".join(f"`{f}`" for f in view.left_out)), ""]
    if view.failing:
        out += [f"### {text(lang, 'failing_controls')}", "", *_failing_rows(view, lang), ""]
    others = len(view.controls) - len(view.failing)
    out += ["<details>", f"<summary>{text(lang, 'other_controls')} ({others})</summary>", "", *_other_rows(view, lang), "",
            "</details>", ""]
    if view.waivers:
        out += ["<details>", f"<summary>{text(lang, 'waivers')} ({len(view.waivers)})</summary>", "",
                *_waiver_rows(view.waivers, lang), "", "</details>", ""]
    if view.notes:
        out += [f"### {text(lang, 'source_notes')} ({len(view.notes)})", "",
                *(f"- {_cell(text_of(n, lang))}" for n in view.notes), ""]
    if view.suppressions:
        out += [f"### {text(lang, 'suppressions')} ({len(view.suppressions)})", "", text(lang, "suppressions_note"), "",
                *(f"- {_cell(suppression_line(s, lang))}" for s in view.suppressions), ""]
    out += ["<details>", f"<summary>{text(lang, 'provenance')}</summary>", "", *_provenance(view, lang), "",
            "</details>"]
    return "\n".join(out) + "\n"
