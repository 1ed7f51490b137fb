"""The gate: which failing controls set the exit code. It decides no status (the engine did).

- ``--gate all`` (default): every failing control gates; ``--gate infrastructure``: only controls that
  failed on findings (what a change to the infrastructure can fix); a control waiting for evidence
  is reported, never gating.
- ``--baseline FILE``: a failed finding the baseline accepts does not gate; a new one does.
- ``--changed-files FILE``: only findings located in those files gate (a stack-level finding is located
  at the file declaring the provider); evidence gates only when the profile file changed.
- ``--soft-fail``: exit 0 unless the input could not be judged (2 stays 2).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from brokerguard.baseline import Baseline, Entry, fingerprint
from brokerguard.errors import InputError
from brokerguard.model import Finding, Status

if TYPE_CHECKING:  # the CLI reads GATES while building its parser: keep the engine out of --help
    from brokerguard.engine import ControlResult
    from brokerguard.scan import ScanResult

GATES = ("all", "infrastructure")
EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2

# Whether a failed finding or a failing control sets the exit code, and why not (Gate.findings, Gate.controls).
GATING, BASELINED, OUTSIDE_CHANGE, EVIDENCE_ONLY = "gating", "baselined", "outside_change", "evidence_only"


@dataclass(frozen=True)
class GateOptions:
    mode: str = "all"
    soft_fail: bool = False
    baseline: Baseline | None = None
    changed_files: frozenset[str] | None = None  # resolved absolute paths; None: every file gates

    def changed(self, file: str) -> bool:
        return self.changed_files is None or (bool(file) and _resolved(file) in self.changed_files)


@dataclass(frozen=True)
class Gate:
    options: GateOptions
    exit_code: int
    controls: dict[str, str]  # failing control id -> gating | evidence_only | baselined | outside_change
    findings: dict[tuple[str, str], str]  # (check id, resource) of a failed finding -> gating | baselined | ...
    entries: tuple[Entry, ...]  # one per failed finding: what --create-baseline writes
    fixed: tuple[Entry, ...] = ()  # baseline entries no failed finding matches any more
    changed: tuple[Entry, ...] = ()  # baseline entries whose resource changed what was judged

    def finding_state(self, check_id: str, resource: str) -> str:
        return self.findings.get((check_id, resource), GATING)


def _resolved(path: str) -> str:
    return os.path.realpath(path)


def read_changed_files(lines: Iterable[str], origin: str) -> frozenset[str]:
    """One path a line (blank lines ignored), relative to the working directory."""
    paths = frozenset(_resolved(line.strip()) for line in lines if line.strip())
    if not paths:
        raise InputError(f"{origin}: --changed-files lists no file")
    return paths


def _declared() -> dict[str, tuple[frozenset[str] | None, tuple[str, ...] | None]]:
    """Per check: the attributes it reads and the types it reads, as declared beside it (None: all)."""
    from brokerguard import registry

    return {p.id: (p.meta.attributes, tuple(sorted(p.types)) if p.types is not None else None)
            for p in registry.load()}


def _failed(result: ControlResult) -> list[Finding]:
    return [j.finding for j in result.findings if j.result == "failed"]


def _control_state(result: ControlResult, options: GateOptions, states: dict[tuple[str, str], str],
                   profile_file: str | None) -> str:
    if result.status is Status.EVIDENCE_MISSING:
        if options.mode == "infrastructure":
            return EVIDENCE_ONLY
        # Nothing in a change of infrastructure files decides evidence; a change of the profile does.
        return GATING if options.changed(profile_file or "") else OUTSIDE_CHANGE
    found = [states[(f.check_id, f.resource)] for f in _failed(result)]
    if not found or GATING in found:
        return GATING
    return BASELINED if BASELINED in found else OUTSIDE_CHANGE


def decide(scan: ScanResult, options: GateOptions) -> Gate:
    declared = _declared()
    by_address = {r.address: r for r in scan.resources}
    entries: dict[tuple[str, str], Entry] = {}
    states: dict[tuple[str, str], str] = {}
    for result in scan.results:
        for f in _failed(result):
            key = (f.check_id, f.resource)
            where = f.file or scan.stack_location.file  # a stack-level finding: where the provider is declared
            if key not in entries:
                attributes, types = declared.get(f.check_id, (None, None))
                entries[key] = Entry(f.check_id, f.resource, fingerprint(f, by_address, attributes, types),
                                     result.control.id, where)
            if options.baseline is not None and options.baseline.accepts(entries[key].key):
                states[key] = BASELINED
            elif not options.changed(where):
                states[key] = OUTSIDE_CHANGE
            else:
                states[key] = GATING
    controls = {r.control.id: _control_state(r, options, states, scan.profile.source)
                for r in scan.results if r.status.failing and r.status is not Status.ERROR}
    if scan.exit_code == EXIT_INPUT:
        code = EXIT_INPUT
    elif options.soft_fail:
        code = EXIT_OK
    else:
        code = EXIT_FAIL if GATING in controls.values() else EXIT_OK
    fixed: list[Entry] = []
    changed: list[Entry] = []
    if options.baseline is not None:
        current = {e.key for e in entries.values()}
        for e in options.baseline.entries:
            if e.key not in current:
                (changed if (e.check_id, e.resource) in entries else fixed).append(e)
    return Gate(options, code, controls, states, tuple(entries.values()), tuple(fixed), tuple(changed))


def describe(gate: Gate, lang: str = "en") -> str:
    """One line for the terminal: what the gate was asked, and what set the exit code."""
    from brokerguard.report.i18n import text

    o = gate.options
    extra = text(lang, "gate_baseline", path=o.baseline.path) if o.baseline is not None else ""
    extra += text(lang, "gate_changed", n=len(o.changed_files)) if o.changed_files is not None else ""
    extra += text(lang, "gate_soft_fail") if o.soft_fail else ""
    sep = "；" if lang == "zh-TW" else "; "
    parts = sep.join(f"{text(lang, 'gate_' + why)}: {', '.join(ids)}"
                     for why in (EVIDENCE_ONLY, BASELINED, OUTSIDE_CHANGE)
                     if (ids := [c for c, w in gate.controls.items() if w == why]))
    line = text(lang, "gate_line", mode=o.mode, extra=extra, code=gate.exit_code)
    return line + (text(lang, "gate_not_gating", parts=parts) if parts else "")
