"""JUnit XML for CI test views (GitLab, Jenkins, Azure DevOps).

One suite for the scan, with the provenance as properties. Per control, one test case for the
control itself (classname CC code + control id, so CI tools group by CC code) and one per resource
its checks looked at. A failing resource carries the failed checks' messages, file, line and fix;
a waived one is skipped with the waiver; controls the tier does not require yet are skipped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from brokerguard.model import Status
from brokerguard.report.view import ControlView, FindingView, ReportView

SKIPPED = (Status.NOT_APPLICABLE, Status.NOT_IN_FORCE, Status.WAIVED)


def _where(f: FindingView) -> str:
    return f"{f.file}:{f.line}" if f.file else "(stack)"


def _finding_text(f: FindingView) -> str:
    text = f"{f.check_id} {f.result} at {_where(f)}: {f.message}"
    if f.fix and f.result == "failed":
        text += f"\n  how to fix: {f.fix}"
    if f.waiver:
        text += f"\n  waived by {f.waiver.approver} until {f.waiver.expiry}: {f.waiver.reason}"
    return text


def _case(suite: ET.Element, c: ControlView, name: str, file: str = "", line: int = 0) -> ET.Element:
    case = ET.SubElement(suite, "testcase", classname=f"{c.cc}.{c.id}", name=name)
    if file:
        case.set("file", file)
        case.set("line", str(line))
    return case


def _control_case(suite: ET.Element, c: ControlView) -> None:
    case = _case(suite, c, f"control {c.id}: {c.name['en']} / {c.name['zh-TW']}")
    lines = [f"status: {c.status.value} (decided by {c.decided_by}; judged: {c.judged})"]
    lines += [f"evidence: {e.text} ({e.date}{', expires ' + str(e.expiry) if e.expiry else ''})" for e in c.evidence]
    lines += [f"note: {n}" for n in c.notes]
    if c.failing:
        failed = [f for f in c.problems if f.result == "failed"]
        message = (f"{len(failed)} failing finding(s) on {len({f.resource for f in failed})} resource(s)" if failed
                   else "; ".join(c.notes) or c.status.value)
        ET.SubElement(case, "failure", message=f"{c.id} {c.status.value}: {message}", type=c.status.value).text = "\n".join(lines)
        return
    if c.status in SKIPPED:
        ET.SubElement(case, "skipped", message=f"{c.status.value}: {'; '.join(c.notes) or c.decided_by}")
    ET.SubElement(case, "system-out").text = "\n".join(lines)


def _resource_case(suite: ET.Element, c: ControlView, resource: str, findings: list[FindingView]) -> None:
    first = findings[0]
    case = _case(suite, c, resource, first.file, first.line)
    failed = [f for f in findings if f.result == "failed"]
    if failed:
        message = "; ".join(f"{f.check_id}: {f.message}" for f in failed)
        body = "\n".join(_finding_text(f) for f in findings if f.result != "passed")
        ET.SubElement(case, "failure", message=message, type=failed[0].check_id).text = body
        return
    if any(f.result == "waived" for f in findings):
        w = next(f.waiver for f in findings if f.waiver)
        ET.SubElement(case, "skipped", message=f"waived by {w.approver} until {w.expiry}: {w.reason}")
    ET.SubElement(case, "system-out").text = "\n".join(_finding_text(f) for f in findings)


def _properties(suite: ET.Element, view: ReportView) -> None:
    p = view.provenance
    props = ET.SubElement(suite, "properties")
    pairs = [("broker", view.broker or ""), ("tier", str(view.tier)), ("as_of", view.as_of.isoformat()),
             ("brokerguard_version", p.brokerguard_version), ("checkov_version", p.checkov_version),
             ("catalog_sha256", p.catalog_sha256), ("profile", p.profile_file or "")]
    pairs += [(f"git_commit:{g.path}", g.commit + (" (dirty)" if g.dirty else "")) for g in p.git]
    pairs += [(f"sha256:{f.path}", f.sha256) for f in p.inputs]
    for name, value in pairs:
        ET.SubElement(props, "property", name=name, value=value)


def render(view: ReportView) -> str:
    root = ET.Element("testsuites", name="brokerguard")
    suite = ET.SubElement(root, "testsuite", name=f"brokerguard tier {view.tier} as of {view.as_of}")
    _properties(suite, view)
    for c in view.controls:
        _control_case(suite, c)
        for resource, findings in c.by_resource().items():
            _resource_case(suite, c, resource, findings)
    cases = suite.findall("testcase")
    counts = {"tests": len(cases), "failures": sum(1 for t in cases if t.find("failure") is not None),
              "errors": 0, "skipped": sum(1 for t in cases if t.find("skipped") is not None)}
    for element in (root, suite):
        for key, value in counts.items():
            element.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
