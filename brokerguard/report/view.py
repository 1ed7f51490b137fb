"""The one view of a scan that every report format renders: controls, findings with their fix, waivers, provenance.

Built once per run; the formats only lay it out. Nothing here decides a status: the engine did.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from brokerguard import provenance, registry
from brokerguard.catalog import Catalog, Obligation
from brokerguard.engine import ControlResult
from brokerguard.gate import Gate
from brokerguard.model import Location, Resource, Status
from brokerguard.picture import Network
from brokerguard.policies.meta import Text
from brokerguard.profile import Evidence, Waiver
from brokerguard.provenance import Provenance
from brokerguard.report import Options
from brokerguard.report.sources import cited
from brokerguard.scan import ScanResult
from brokerguard.suppressions import Suppression

# The fix for a control that only evidence can show, when none valid is declared.
EVIDENCE_FIX = Text("Declare dated evidence for this control in the broker profile (docs/profile.md).",
                    "在券商設定檔中宣告此控制附日期的佐證資料（docs/profile.md）。")
# The fix for a control that could not be judged: what a check needed was not read.
ERROR_FIX = Text("Let the scan read what the note names (docs/aws-permissions.md), or reach the region, and scan again.",
                 "讓掃描能讀取說明所列項目（docs/aws-permissions.md）或連上該區域後，重新掃描。")


@dataclass(frozen=True)
class FindingView:
    check_id: str
    check_name: str
    resource: str  # address, or "(stack)"
    file: str
    line: int
    result: str  # passed | failed | waived | attested (an absence realised elsewhere, per evidence)
    message: str
    fix: str  # the check's fix, as the scan settled it
    severity: str
    waiver: Waiver | None
    gate: str = "gating"  # a failed finding: gating, baselined or outside_change (brokerguard.gate)
    end_line: int = 0  # last line of the resource's declaration, when the parser knows it
    owner: str = ""  # the control the check belongs to (an including control, APT defence, shows others')


@dataclass(frozen=True)
class ControlView:
    id: str
    cc: str
    name: dict[str, str]
    requirement: dict[str, str]
    status: Status
    decided_by: str
    judged: str
    findings: tuple[FindingView, ...]
    evidence: tuple[Evidence, ...]
    waivers: tuple[Waiver, ...]
    notes: tuple[str, ...]
    rule_sets: tuple[str, ...] = ()  # the selected rule sets that require it
    # The obligations that judged it (all of the control's when none applied), each with its source.
    obligations: tuple[Obligation, ...] = ()

    def sources(self, lang: str) -> list[str]:
        return cited(self.obligations, lang)
    includes: tuple[str, ...] = ()  # controls whose findings decide this one too (catalog `includes`)

    @property
    def failing(self) -> bool:
        return self.status.failing

    @property
    def own_problems(self) -> list[FindingView]:
        """Problems of this control's own checks; those of included controls are shown there."""
        return [f for f in self.problems if f.owner in ("", self.id)]

    @property
    def problems(self) -> list[FindingView]:
        """Findings that did not pass: failed, waived, or absences that evidence stands in for."""
        return [f for f in self.findings if f.result != "passed"]

    def by_resource(self) -> dict[str, list[FindingView]]:
        """Findings grouped per resource, in finding order."""
        grouped: dict[str, list[FindingView]] = {}
        for f in self.findings:
            grouped.setdefault(f.resource, []).append(f)
        return grouped


@dataclass(frozen=True)
class WaiverEntry:
    control: str  # the control the waiver belongs to (its target, or the control of its target check)
    waiver: Waiver
    expired: bool  # an expired waiver covers nothing: its findings fail again


@dataclass(frozen=True)
class ReportView:
    broker: str | None
    tier: int
    as_of: dt.date
    paths: tuple[str, ...]
    resources: tuple[Resource, ...]
    controls: tuple[ControlView, ...]
    waivers: tuple[WaiverEntry, ...]
    provenance: Provenance
    network: Network
    catalog: Catalog  # the controls that judged this scan
    policies: dict[str, registry.Policy]  # the declaration of every check and rule of the catalog, by id
    exit_code: int  # the gate's: 2 when part of the input could not be inspected or a control is `error`
    gate: Gate
    options: Options
    stack_location: Location  # where findings on the whole stack point: the provider's declaration
    notes: tuple[str, ...] = ()  # what the sources say beside the findings (a Pulumi export's drift), Text
    suppressions: tuple[Suppression, ...] = ()  # inline skips found in the code: listed, not applied
    rule_sets: tuple[tuple[str, dict[str, str]], ...] = ()  # (id, name) of each rule set that judged the scan
    left_out: tuple[str, ...] = ()  # .tf files no module reads: not judged

    @property
    def passed(self) -> bool:
        return not any(c.failing for c in self.controls)

    @property
    def failing(self) -> list[ControlView]:
        return [c for c in self.controls if c.failing]

    @property
    def counts(self) -> dict[str, int]:
        """Controls per status, every status present, in the order of the Status enum."""
        found = Counter(c.status.value for c in self.controls)
        return {s.value: found.get(s.value, 0) for s in Status}


def _end_line(resources: dict[str, Resource], address: str, file: str, line: int) -> int:
    r = resources.get(address)
    return r.end_line if r is not None and r.file == file and r.line == line else 0


def _control(result: ControlResult, catalog: Catalog, gate: Gate, resources: dict[str, Resource]) -> ControlView:
    c = result.control
    findings = []
    for j in result.findings:
        f = j.finding
        outcome = "attested" if j.result == "failed" and result.status is Status.ATTESTED else j.result
        findings.append(FindingView(f.check_id, f.check_name, f.resource, f.file, f.line, outcome, f.message,
                                    f.fix, f.severity, j.waiver,
                                    gate.finding_state(f.check_id, f.resource) if j.result == "failed" else "gating",
                                    _end_line(resources, f.resource, f.file, f.line),
                                    getattr(catalog.control_of(f.check_id), "id", "")))
    return ControlView(c.id, c.cc, c.name, c.requirement, result.status, result.decided_by, result.judged,
                       tuple(findings), tuple(result.evidence), tuple(result.waivers), tuple(result.notes),
                       rule_sets=c.rule_sets, obligations=judging_obligations(result), includes=c.includes)


def judging_obligations(result: ControlResult) -> tuple[Obligation, ...]:
    """The obligations that judged a control; when none bound the broker, all of them (why it does not apply)."""
    return result.obligations or result.control.obligations


def build(scan: ScanResult, gate: Gate, options: Options) -> ReportView:
    catalog = scan.catalog
    policies = registry.load()
    waivers = []
    for w in scan.profile.waivers:
        owner = catalog.get(w.target) or catalog.control_of(w.target)
        waivers.append(WaiverEntry(owner.id if owner else w.target, w, not w.live(scan.as_of)))
    order = {c.id: i for i, c in enumerate(catalog.controls)}
    waivers.sort(key=lambda e: (order.get(e.control, len(order)), e.waiver.target, e.waiver.resources))
    by_address = {r.address: r for r in scan.resources}
    return ReportView(
        broker=scan.profile.name, tier=scan.tier, as_of=scan.as_of, paths=scan.paths, resources=scan.resources,
        rule_sets=tuple((r.id, r.name) for r in catalog.rule_sets),
        controls=tuple(_control(r, catalog, gate, by_address) for r in scan.results), waivers=tuple(waivers),
        provenance=provenance.collect(scan.paths, scan.profile.name, scan.profile.source,
                                      gate.options.baseline.path if gate.options.baseline else None,
                                      options.config_file, scan.rule_sets),
        network=scan.network, exit_code=gate.exit_code, catalog=catalog, left_out=scan.left_out,
        policies={pid: policies[pid] for c in catalog.controls for pid in c.checks + c.stack_rules},
        gate=gate, options=options, stack_location=scan.stack_location, notes=scan.notes, suppressions=scan.suppressions,
    )
