"""One self-contained HTML page for the security team: nothing is loaded from anywhere.

Broker, tier and as-of date; the verdict; counts by status as an inline SVG chart; the network
picture (brokerguard.report.network); the matrix of every control with status, how it was judged,
failing resources with file, line and fix, evidence and notes; the waiver register with expired
waivers marked; and the provenance. No script, no external stylesheet, font or image.
"""

from __future__ import annotations

from html import escape

from brokerguard.report import network
from brokerguard.report.i18n import control_name, judged, severity, status, suppression_line, text, text_of
from brokerguard.report.view import EVIDENCE_FIX, ControlView, FindingView, ReportView

COLOURS = {"pass": "#047857", "attested": "#0e7490", "waived": "#b45309", "fail": "#b91c1c",
           "evidence_missing": "#be123c", "not_applicable": "#6b7280", "not_in_force": "#6b7280", "error": "#7c2d12"}

# A finding's result, in the words of the statuses (failed -> fail) so that both languages have it.
RESULT_STATUS = {"failed": "fail", "passed": "pass"}

STYLE = """
body{font-family:"Noto Sans CJK TC","Noto Sans TC","PingFang TC","Microsoft JhengHei",sans-serif;margin:24px;color:#111827;background:#fff}
h1{font-size:24px;margin:0 0 6px}h2{font-size:19px;margin:28px 0 10px;border-bottom:2px solid #e5e7eb;padding-bottom:4px}
.facts{display:flex;gap:28px;flex-wrap:wrap;margin:8px 0 12px}.facts div{font-size:14px}.facts b{display:block;color:#6b7280;font-weight:normal;font-size:12px}
.verdict{padding:10px 14px;border-radius:8px;font-weight:bold;font-size:17px;color:#fff}
.verdict.pass{background:#047857}.verdict.fail{background:#b91c1c}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border:1px solid #d1d5db;padding:5px 7px;text-align:left;vertical-align:top}
th{background:#f3f4f6}tr.failing td{background:#fef2f2}td.nowrap{white-space:nowrap}table.matrix td:first-child{width:22%}
.badge{display:inline-block;padding:2px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:bold;white-space:nowrap}
.other{color:#6b7280;font-size:12px}code{font-size:12px;background:#f3f4f6;padding:0 3px;border-radius:3px}
ul{margin:2px 0;padding-left:18px}.expired{color:#fff;background:#b91c1c;padding:1px 6px;border-radius:4px;font-weight:bold}
.fix{color:#065f46}.note{color:#6b7280}svg{max-width:100%;height:auto}
.sev{display:inline-block;padding:0 6px;border-radius:4px;font-size:11px;font-weight:bold;color:#fff;margin-right:4px}
.sev.critical{background:#7f1d1d}.sev.high{background:#b91c1c}.sev.medium{background:#b45309}.sev.low{background:#4b5563}
.print-only{display:none}
@media print{
  body{margin:0;font-size:11px}details{display:none}.print-only{display:block}
  tr{break-inside:avoid}h2{break-after:avoid}a{color:inherit;text-decoration:none}
}
"""
# Most severe first; a check that declares no severity sorts last.
SEVERITY_ORDER = ("critical", "high", "medium", "low", "")


def _badge(value: str, lang: str) -> str:
    return f'<span class="badge" style="background:{COLOURS.get(value, "#374151")}">{escape(status(lang, value))}</span>'


def _counts_chart(view: ReportView, lang: str) -> str:
    """Counts by status as horizontal bars."""
    counts = view.counts
    top = max(counts.values()) or 1
    rows = []
    for i, (value, n) in enumerate(counts.items()):
        y = 8 + i * 30
        width = 0 if n == 0 else max(4, int(560 * n / top))
        rows.append(f'<text x="150" y="{y + 16}" font-size="13" text-anchor="end">{escape(status(lang, value))}</text>'
                    f'<rect x="160" y="{y}" width="{width}" height="22" rx="4" fill="{COLOURS.get(value, "#374151")}"/>'
                    f'<text x="{168 + width}" y="{y + 16}" font-size="13" font-weight="bold">{n}</text>')
    height = 16 + 30 * len(counts)
    return (f'<svg role="img" aria-label="{escape(text(lang, "counts"))}" width="800" height="{height}" '
            f'viewBox="0 0 800 {height}" class="counts">{"".join(rows)}</svg>')


def _by_severity(findings: list[FindingView]) -> list[FindingView]:
    return sorted(findings, key=lambda f: (SEVERITY_ORDER.index(f.severity if f.severity in SEVERITY_ORDER else ""),
                                           f.check_id, f.resource))


def _severity(value: str, lang: str) -> str:
    return f'<span class="sev {escape(value)}">{escape(severity(lang, value))}</span>' if value else ""


def _included(view: ReportView, c: ControlView, lang: str) -> list[str]:
    """An including control (APT defence) links to the findings of the controls it includes, never repeats them."""
    names = {x.id: x.name for x in view.controls}
    items = []
    for cid in c.includes:
        n = sum(1 for f in c.problems if f.owner == cid and f.result == "failed")
        items.append(f'<li class="note">{escape(text(lang, "included", n=n))}: '
                     f'<a href="#control-{escape(cid)}">{escape(control_name(names[cid], lang))}</a></li>')
    return items


def _findings_cell(view: ReportView, c: ControlView, lang: str) -> str:
    items = []
    for f in _by_severity(c.own_problems):
        where = f" <code>{escape(f.file)}:{f.line}</code>" if f.file else ""
        outcome = status(lang, RESULT_STATUS.get(f.result, f.result))
        item = (f"{_severity(f.severity, lang)}<b>{escape(f.check_id)}</b> {escape(outcome)}: "
                f"<code>{escape(f.resource)}</code>{where}<br>{escape(text_of(f.message, lang))}")
        if f.result == "failed" and f.fix:
            item += f'<br><span class="fix">{escape(text(lang, "fix"))}: {escape(text_of(f.fix, lang))}</span>'
        if f.waiver:
            item += f"<br>{escape(text(lang, 'waived_by', approver=f.waiver.approver, expiry=f.waiver.expiry))}"
        items.append(f"<li>{item}</li>")
    items += _included(view, c, lang)
    if c.status.value == "evidence_missing" and not any(f.result == "failed" for f in c.problems):
        items.append(f'<li><span class="fix">{escape(text(lang, "fix"))}: {escape(text_of(EVIDENCE_FIX, lang))}</span></li>')
    passed = sorted({f.resource for f in c.findings if f.result == "passed"} - {f.resource for f in c.problems})
    if passed:
        items.append(f'<li class="note">{escape(status(lang, "pass"))}: '
                     + ", ".join(f"<code>{escape(r)}</code>" for r in passed) + "</li>")
    for e in c.evidence:
        expiry = f", {escape(text(lang, 'expiry'))} {e.expiry}" if e.expiry else ""
        ref = f" ({escape(e.reference)})" if e.reference else ""
        items.append(f"<li>{escape(text(lang, 'evidence'))}: {escape(e.text)}{ref} [{e.date}{expiry}]</li>")
    items += [f'<li class="note">{escape(text_of(n, lang))}</li>' for n in c.notes]
    return f"<ul>{''.join(items)}</ul>" if items else ""


def _matrix(view: ReportView, lang: str) -> str:
    other = "en" if lang == "zh-TW" else "zh-TW"
    head = "".join(f"<th>{escape(text(lang, k))}</th>" for k in ("control", "cc", "status", "judged", "details"))
    rows = []
    for c in view.controls:
        twin = f"{escape(c.name[other])} · " if lang == "en" else ""  # the official Chinese name, for English readers
        name = (f'{escape(c.name[lang])}<br><span class="other">{twin}<code>{escape(c.id)}</code></span>'
                f'<details><summary class="other">{escape(text(lang, "requirement"))}</summary>'
                f'<span class="other">{escape(c.requirement[lang])}</span></details>'
                # Printed for the regulator: the requirement in full, not behind a collapsed <details>.
                f'<div class="print-only other">{escape(text(lang, "requirement"))}: {escape(c.requirement[lang])}</div>'
                + "".join(f'<div class="other source">{escape(text(lang, "source"))}: {escape(s)}</div>'
                          for s in c.sources(lang)))
        rows.append(f'<tr class="{"failing" if c.failing else ""}" id="control-{escape(c.id)}"><td>{name}</td>'
                    f'<td class="nowrap">{escape(c.cc)}</td><td class="nowrap">{_badge(c.status.value, lang)}</td>'
                    f'<td class="nowrap">{escape(judged(lang, c.judged))}</td><td>{_findings_cell(view, c, lang)}</td></tr>')
    return f"<table class=\"matrix\"><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _per_resource(view: ReportView, lang: str) -> str:
    """Every failed finding grouped by resource, the most severe resource first; each links to its control."""
    names = {c.id: c.name for c in view.controls}
    grouped: dict[str, dict[tuple[str, str], FindingView]] = {}
    for c in view.controls:
        for f in c.problems:
            if f.result == "failed":
                grouped.setdefault(f.resource, {}).setdefault((f.check_id, f.owner or c.id), f)
    if not grouped:
        return f"<p>{escape(text(lang, 'no_failed_resources'))}</p>"

    def rank(findings: dict[tuple[str, str], FindingView]) -> int:
        return min(SEVERITY_ORDER.index(f.severity if f.severity in SEVERITY_ORDER else "") for f in findings.values())

    head = "".join(f"<th>{escape(text(lang, k))}</th>" for k in ("resource", "where", "details"))
    rows = []
    for resource in sorted(grouped, key=lambda r: (rank(grouped[r]), r)):
        found = grouped[resource]
        first = next(iter(found.values()))
        where = f"<code>{escape(first.file)}:{first.line}</code>" if first.file else "—"
        items = "".join(f'<li>{_severity(f.severity, lang)}<b>{escape(f.check_id)}</b> '
                        f'(<a href="#control-{escape(owner)}">{escape(names[owner][lang])}</a>): {escape(text_of(f.message, lang))}'
                        f'<br><span class="fix">{escape(text(lang, "fix"))}: {escape(text_of(f.fix, lang))}</span></li>'
                        for (_, owner), f in sorted(found.items(), key=lambda kv: (
                            SEVERITY_ORDER.index(kv[1].severity if kv[1].severity in SEVERITY_ORDER else ""), kv[0])))
        rows.append(f"<tr><td><code>{escape(resource)}</code></td><td>{where}</td><td><ul>{items}</ul></td></tr>")
    return f"<table class=\"resources\"><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _waivers(view: ReportView, lang: str) -> str:
    if not view.waivers:
        return f"<p>{escape(text(lang, 'no_waivers'))}</p>"
    keys = ("control", "target", "approver", "reason", "compensating", "ticket", "expiry")
    head = "".join(f"<th>{escape(text(lang, k))}</th>" for k in keys)
    rows = []
    for e in view.waivers:
        w = e.waiver
        state = (f' <span class="expired">{escape(text(lang, "expired"))}</span>' if e.expired
                 else f' <span class="note">({escape(text(lang, "live"))})</span>')
        cells = [e.control, f"{w.target} · {w.resources}", w.approver, w.reason, w.compensating_control or "—",
                 w.ticket or "—"]
        rows.append("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in cells) + f"<td>{w.expiry}{state}</td></tr>")
    return f"<table class=\"waivers\"><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _notes(view: ReportView, lang: str) -> str:
    if not view.notes:
        return ""
    items = "".join(f"<li>{escape(text_of(n, lang))}</li>" for n in view.notes)
    return f"<h2>{escape(text(lang, 'source_notes'))} ({len(view.notes)})</h2><ul class=\"notes\">{items}</ul>"


def _suppressions(view: ReportView, lang: str) -> str:
    if not view.suppressions:
        return ""
    items = "".join(f"<li><code>{escape(suppression_line(s, lang))}</code></li>" for s in view.suppressions)
    return (f"<h2>{escape(text(lang, 'suppressions'))} ({len(view.suppressions)})</h2>"
            f'<p class="note">{escape(text(lang, "suppressions_note"))}</p><ul class="suppressions">{items}</ul>')


def _provenance(view: ReportView, lang: str) -> str:
    p = view.provenance
    git = "".join(f"<li><code>{escape(g.path)}</code>: <code>{escape(g.commit)}</code>"
                  f"{' (' + escape(text(lang, 'dirty')) + ')' if g.dirty else ''}</li>" for g in p.git)
    inputs = "".join(f"<tr><td><code>{escape(f.path)}</code></td><td><code>{f.sha256}</code></td></tr>" for f in p.inputs)
    return (f"<ul><li>{escape(text(lang, 'versions'))}: brokerguard {escape(p.brokerguard_version)}, "
            f"Checkov {escape(p.checkov_version)}, catalog schema {p.catalog_schema_version} "
            f"(SHA-256 <code>{p.catalog_sha256}</code>)</li>"
            f"<li>{escape(text(lang, 'profile'))}: {escape(p.profile_file or text(lang, 'none'))}</li>"
            f"<li>{escape(text(lang, 'git_commit'))}: {('<ul>' + git + '</ul>') if git else escape(text(lang, 'none'))}</li></ul>"
            f"<table class=\"inputs\"><thead><tr><th colspan=\"2\">{escape(text(lang, 'inputs'))}</th></tr></thead>"
            f"<tbody>{inputs}</tbody></table>")


def render(view: ReportView, lang: str) -> str:
    verdict = (text(lang, "verdict_pass") if view.passed else text(lang, "verdict_fail", n=len(view.failing)))
    facts = [(text(lang, "broker"), view.broker or "—"), (text(lang, "tier"), text(lang, "tier_n", n=view.tier)),
             (text(lang, "as_of"), view.as_of.isoformat()), (text(lang, "paths"), ", ".join(view.paths)),
             (text(lang, "resources"), str(len(view.resources))),
             (text(lang, "rule_sets"), ", ".join(f"{rid} ({name[lang]})" for rid, name in view.rule_sets))]
    failing = "".join(f'<li><a href="#control-{escape(c.id)}">{escape(control_name(c.name, lang))}</a> '
                      f"{_badge(c.status.value, lang)}</li>" for c in view.failing)
    body = [
        f"<h1>{escape(text(lang, 'title'))}</h1>",
        '<div class="facts">' + "".join(f"<div><b>{escape(k)}</b>{escape(v)}</div>" for k, v in facts) + "</div>",
        f'<div class="verdict {"pass" if view.passed else "fail"}">{escape(verdict)}</div>',
        f"<ul>{failing}</ul>" if failing else "",
        f"<h2>{escape(text(lang, 'counts'))}</h2>", _counts_chart(view, lang),
        f"<h2>{escape(text(lang, 'network'))}</h2>", f'<p class="note">{escape(text(lang, "network_note"))}</p>',
        network.svg(view.network, lang, frozenset(f.resource for c in view.controls for f in c.problems
                                                  if f.result == "failed")),
        f"<h2>{escape(text(lang, 'matrix'))}</h2>", _matrix(view, lang),
        f"<h2>{escape(text(lang, 'by_resource'))}</h2>", _per_resource(view, lang),
        f"<h2>{escape(text(lang, 'waivers'))}</h2>", _waivers(view, lang),
        _notes(view, lang), _suppressions(view, lang),
        f"<h2>{escape(text(lang, 'provenance'))}</h2>", _provenance(view, lang),
    ]
    title = f"brokerguard · {view.broker or ''} · {text(lang, 'tier_n', n=view.tier)} · {view.as_of}"
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(part for part in body if part) + "\n</body>\n</html>\n")
