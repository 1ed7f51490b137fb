"""brokerguard.parallel: work over forked workers comes back in order, and what a worker raises is raised
here as it was raised there (an InputError keeps its hint, so the scan still ends in one line, exit 2:
an exception pickles its attributes too)."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from brokerguard import parallel
from brokerguard.errors import InputError


def _pid_and_square(n: int) -> tuple[int, int]:
    return os.getpid(), n * n


def _refuse(n: int) -> int:
    if n == 3:
        raise InputError(f"item{n}.tf:1: cannot judge", hint="scan the plan JSON")
    return n


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)


def test_results_come_back_in_order_from_other_processes(two_cores: None) -> None:
    found = list(parallel.forked_map(_pid_and_square, [(n,) for n in range(9)]))
    assert [square for _, square in found] == [n * n for n in range(9)]
    assert os.getpid() not in {pid for pid, _ in found}


def test_without_fork_or_cores_the_work_is_done_here(monkeypatch: pytest.MonkeyPatch) -> None:
    assert {pid for pid, _ in parallel.forked_map(_pid_and_square, [(1,), (2,)], fork=False)} == {os.getpid()}
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert parallel.workers(10) == 2
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn", "fork", "forkserver"])
    assert parallel.workers(10) == 1  # where fork is not the platform's default (macOS), nothing is forked
    monkeypatch.undo()
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert parallel.workers(10) == 1
    assert {pid for pid, _ in parallel.forked_map(_pid_and_square, [(1,), (2,)])} == {os.getpid()}


def test_an_input_error_raised_in_a_worker_keeps_its_hint(two_cores: None) -> None:
    with pytest.raises(InputError) as raised:
        parallel.forked_map(_refuse, [(n,) for n in range(6)])
    assert raised.value.one_line() == "item3.tf:1: cannot judge (hint: scan the plan JSON)"
