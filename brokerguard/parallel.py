"""Work spread over the machine's cores in forked processes: the parse of many files (hcl_cache) and the
judgement of several root modules (checkov_scan). A forked worker starts with everything this process
has loaded (Checkov, our checks, the profile's settings), so nothing is imported or set up again."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
MAX_WORKERS = 2  # measured on 2 cores; more workers each hold their own copy of what they change


def workers(items: int) -> int:
    """How many workers to fork for this many items (1: do the work here)."""
    if multiprocessing.get_all_start_methods()[0] != "fork":  # not where forking is the platform's default
        return 1  # (macOS: a forked child of a process that loaded system frameworks may crash)
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS, items))


def forked_map(function: Callable[..., T], arguments: Sequence[tuple[Any, ...]], chunksize: int = 1,
               fork: bool = True) -> Iterable[T]:
    """function(*args) for every args, in order: over forked workers when fork is asked and the machine
    has the cores, else here.

    The workers are not daemons (ProcessPoolExecutor's), so what they run may fork in turn; an exception
    raised in a worker is raised here, and the work not yet started is dropped."""
    count = workers(len(arguments)) if fork else 1
    if count < 2:
        return [function(*args) for args in arguments]
    executor = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"))
    try:
        return list(executor.map(function, *zip(*arguments, strict=True), chunksize=chunksize))
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
