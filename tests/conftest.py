"""Shared test helpers: the CLI run in-process, what one scan judged, and no network beyond loopback, ever."""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import json
import re
import socket
from pathlib import Path
from typing import Any

import pytest

from brokerguard.cli import main

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "iac_examples" / "terraform"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
AS_OF = dt.date(2024, 6, 30)  # the date the example profiles' evidence is written for
# judged(): every check of every rule set runs, on a date when every rule of every set is in force
ALL_IN_FORCE = dt.date(2025, 6, 30)


@functools.cache
def _judged(path: Path, tier: int, settings: tuple) -> dict[tuple[str, str], tuple[str, int, str, bool]]:
    from brokerguard.catalog import available_rule_sets, load_catalog
    from brokerguard.profile import Profile
    from brokerguard.scan import scan

    # No facts declared: every rule that depends on one applies (fail closed), so every check reports.
    every = load_catalog(tuple(available_rule_sets()))
    out = scan([path], Profile(tier=tier, settings=dict(settings)), ALL_IN_FORCE, every)
    return {(j.finding.check_id, j.finding.resource): (j.result, j.finding.line, j.finding.message, j.finding.attestable)
            for r in out.results for j in r.findings}


def judged(path: Path, tier: int = 1, **settings: Any) -> dict[tuple[str, str], tuple[str, int, str, bool]]:
    """(check id, resource) -> (result, line, message, attestable) of one scan of ``path``, no profile
    but these settings, over every control that reports the finding."""
    return _judged(path, tier, tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in settings.items())))


def declared_at(path: Path, address: str) -> int:
    """The line of `resource "TYPE" "NAME" {` for an address, searched in the directory's .tf files."""
    if address == "(stack)":
        return 0
    rtype, name = address.split(".")[-2:]
    pattern = re.compile(rf'^resource\s+"{rtype}"\s+"{name}"', re.M)
    for tf in sorted(path.rglob("*.tf")):
        match = pattern.search(tf.read_text())
        if match:
            return tf.read_text()[: match.start()].count("\n") + 1
    raise AssertionError(f"{address} is not declared under {path}")


def _loopback(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = address[0]
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False
    return isinstance(address, (str, bytes))  # unix sockets


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> list:
    """Any attempt to reach a non-loopback address fails the test that made it."""
    attempts: list = []
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        if not _loopback(address):
            attempts.append(address)
            raise AssertionError(f"network access attempted: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded)
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: (_ for _ in ()).throw(
        AssertionError(f"DNS lookup attempted: {host!r}")) if host not in ("localhost", "127.0.0.1", "::1") else
        [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", a[0] if a else 0))])
    return attempts


class CliRun:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    @property
    def json(self) -> dict:
        return json.loads(self.out)

    def control(self, control_id: str) -> dict:
        return next(c for c in self.json["controls"] if c["id"] == control_id)

    def statuses(self) -> dict[str, str]:
        return {c["id"]: c["status"] for c in self.json["controls"]}


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run `brokerguard ARGS...` in-process; returns exit code, stdout and stderr."""

    def run(*args: object) -> CliRun:
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse usage errors and --help/--version
            code = exc.code if isinstance(exc.code, int) else 2
        captured = capsys.readouterr()
        return CliRun(code, captured.out, captured.err)

    return run
