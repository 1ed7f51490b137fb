"""What a scan derived, kept in --cache-dir under the content of everything it was derived from.

Two kinds of entry: what Checkov found in one root module (findings, resources, unknowns: checkov_scan)
and the policy registry's declarations (registry), so that a re-scan whose root modules all hit
neither runs nor imports Checkov. Stack rules, the controls' verdicts and the reports are computed on
every scan from those entries. Each key is the SHA-256 of what the entry depends on, brokerguard's own
code and data (policies, catalog, rule sets) and the installed dependency versions among it; a changed
input is a different key, never a stale entry.

An entry is a pickle read by an unpickler that builds only the few brokerguard types an entry holds,
written to a temporary file and renamed (atomic), and it repeats its key: a truncated, foreign or
renamed file is a miss, and the scan derives the entry again. An entry that cannot be written only
costs time. The directory must not lie inside a scanned path (a repository could ship forged entries
for its own content): that is refused.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
import pickle
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from brokerguard import __version__
from brokerguard.errors import InputError

FORMAT = 1  # bumped when an entry's shape changes
_SKIPPED = {"__pycache__", ".pytest_cache"}
# The only globals an entry may name (pickle's "restricting globals").
_ALLOWED = {
    ("builtins", "frozenset"), ("builtins", "set"),
    ("brokerguard.model", "Finding"), ("brokerguard.model", "Resource"),
    ("brokerguard.policies.meta", "Text"), ("brokerguard.policies.meta", "Meta"),
    ("brokerguard.suppressions", "Suppression"),
    ("brokerguard.checkov_scan", "CheckovResult"), ("brokerguard.registry", "Policy"),
}
_active: list[Path] = []


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not a cache type")
        return super().find_class(module, name)


def directory() -> Path | None:
    """The cache directory of the scan running now (None: no cache)."""
    return _active[-1] if _active else None


@contextlib.contextmanager
def using(cache_dir: Path | None, scanned: list[Path]) -> Iterator[None]:
    """Within this block scans read and write entries in cache_dir; refused when it is not a directory or
    lies inside a scanned path."""
    if cache_dir is None:
        yield
        return
    if cache_dir.exists() and not cache_dir.is_dir():
        raise InputError(f"{cache_dir}: --cache-dir is not a directory")
    real = Path(os.path.realpath(cache_dir))
    for path in scanned:
        inside = Path(os.path.realpath(path))
        if real.is_relative_to(inside):
            raise InputError(f"{cache_dir}: --cache-dir lies inside the scanned path {path}",
                             hint="keep the cache outside what is scanned, e.g. ~/.cache/brokerguard")
    _active.append(real)
    try:
        yield
    finally:
        _active.pop()


@functools.cache
def code_digest() -> str:
    """brokerguard's code and data (checks, rules, catalog, rule sets, mappings) and every installed
    distribution's version: what every entry depends on besides its own inputs."""
    import brokerguard
    from brokerguard import policies, providers
    from brokerguard.policies import checkov, stack_rules

    h = hashlib.sha256(f"{FORMAT}\0{__version__}\0{sys.version}\0".encode())
    # the policy packages' own paths too: a folder of checks can be added to them (tests, docs/custom-policy.md)
    packages = (brokerguard, policies, providers, checkov, stack_rules)
    folders = sorted({Path(p).resolve() for pkg in packages for p in pkg.__path__})
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if d not in _SKIPPED)
            for name in sorted(filenames):
                if name.endswith((".py", ".yaml", ".json")):
                    path = Path(dirpath) / name
                    h.update(f"{path}\0".encode())
                    h.update(hashlib.sha256(path.read_bytes()).digest())
    h.update(json.dumps(_installed()).encode())
    return h.hexdigest()


def _installed() -> list[str]:
    """Every installed distribution with its version, by the names of its metadata directories
    (name-version.dist-info), which is what an install or upgrade changes; reading each one's
    metadata would cost more than the rest of a cached scan."""
    names = set()
    for entry in sys.path:
        with contextlib.suppress(OSError):
            names.update(n for n in os.listdir(entry or ".") if n.endswith((".dist-info", ".egg-info")))
    return sorted(names)


def key(kind: str, inputs: Any) -> str:
    """The key of an entry of ``kind`` derived from ``inputs`` (JSON-able, in a stable order)."""
    text = json.dumps([kind, code_digest(), inputs], sort_keys=True, ensure_ascii=False, default=_refuse)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _refuse(value: Any) -> Any:
    raise TypeError(f"a cache key cannot hold {type(value).__name__}")


def _entry(kind: str, entry_key: str) -> Path | None:
    base = directory()
    return None if base is None else base / kind / entry_key[:2] / entry_key


def read(kind: str, entry_key: str) -> Any | None:
    """The entry under this key, or None (no cache, a miss, or an entry that is not what was written)."""
    path = _entry(kind, entry_key)
    if path is None:
        return None
    try:
        stored_key, value = _Unpickler(io.BytesIO(path.read_bytes())).load()
    except (OSError, EOFError, ValueError, TypeError, AttributeError, IndexError, pickle.UnpicklingError):
        return None
    return value if stored_key == entry_key else None


def write(kind: str, entry_key: str, value: Any) -> None:
    """Keep value under this key; a directory that cannot be written only costs the next scan time."""
    path = _entry(kind, entry_key)
    if path is None:
        return
    with contextlib.suppress(OSError, pickle.PicklingError, TypeError, AttributeError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                pickle.dump((entry_key, value), out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
