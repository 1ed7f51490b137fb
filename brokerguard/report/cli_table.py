"""The terminal report: one line per control, failing resources with file and line beneath."""

from __future__ import annotations

from collections import Counter

from brokerguard.drift import Drift
from brokerguard.model import Status
from brokerguard.provenance import Provenance
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


def _provenance_line(p: Provenance) -> str:
    commits = ", ".join(f"{g.commit[:12]}{' (dirty)' if g.dirty else ''}" for g in p.git)
    return (f"brokerguard {p.brokerguard_version}, Checkov {p.checkov_version}, catalog sha256 {p.catalog_sha256[:12]}"
            f"{', commit ' + commits if commits else ''}, {len(p.inputs)} input files hashed")


def render(scan: ScanResult, provenance: Provenance, colour: bool = False) -> str:
    def paint(status: Status, text: str) -> str:
        return f"\033[{COLOURS[status]}m{text}\033[0m" if colour else text

    who = f"{scan.profile.name}, " if scan.profile.name else ""
    lines = [f"brokerguard: {who}tier {scan.tier}, as of {scan.as_of}, {len(scan.resources)} resources in "
             f"{', '.join(scan.paths)}",
             _provenance_line(provenance), ""]
    width = max(len(s.value) for s in Status)
    for r in scan.results:
        c = r.control
        status = paint(r.status, r.status.value.upper().ljust(width))
        lines.append(f"{status}  {c.id:<24} {c.cc}  {c.name['zh-TW']} / {c.name['en']}")
        for j in r.findings:
            if j.result == "passed":
                continue
            f = j.finding
            where = f" ({f.file}:{f.line})" if f.file else ""
            if j.waiver:
                mark = f"waived by {j.waiver.approver} until {j.waiver.expiry}"
            elif r.status is Status.ATTESTED:
                mark = "absent here, realised elsewhere per evidence"
            else:
                mark = "FAILED"
            lines.append(f"    {f.check_id} {mark}: {f.resource}{where}")
            lines.append(f"        {f.message}")
            if f.fix and r.status.failing:
                lines.append(f"        how to fix: {f.fix} ({f.guideline})")
        for e in r.evidence:
            lines.append(f"    evidence: {e.text} ({e.date}{', expires ' + str(e.expiry) if e.expiry else ''})")
        for w in r.waivers:
            if r.status is Status.WAIVED:
                lines.append(f"    waiver: {w.reason} (approved by {w.approver}, expires {w.expiry})")
        for note in r.notes:
            if r.status.failing or r.status in (Status.NOT_APPLICABLE, Status.NOT_IN_FORCE) or "expired" in note:
                lines.append(f"    note: {note}")
    for part in scan.not_inspectable:
        lines.append(f"NOT JUDGED  {part}")
    for why, types in _by_reason(scan.unread).items():
        lines.append(f"NOT READ    {', '.join(types)}: {why}")
    for file in scan.left_out:
        lines.append(f"LEFT OUT    {file}: no module block calls its directory, so Terraform does not read it")
    if scan.unmapped_types:
        lines.append(f"note: resource types no check knows (listed, not judged): {', '.join(scan.unmapped_types)}")
    counts = Counter(r.status for r in scan.results)
    summary = ", ".join(f"{counts[s]} {s.value}" for s in Status if counts[s])
    verdict = "PASSED" if scan.passed else "INCOMPLETE" if scan.exit_code == 2 else "FAILED"
    lines += ["", f"{verdict}: {summary} ({len(scan.results)} controls)"]
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
