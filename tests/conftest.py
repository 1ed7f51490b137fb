"""Shared test helpers: the CLI run in-process, and no network beyond loopback, ever."""

from __future__ import annotations

import ipaddress
import json
import socket
from pathlib import Path

import pytest

from brokerguard.cli import main

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "iac_examples" / "terraform"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


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
