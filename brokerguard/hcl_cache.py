"""A cache of parsed Terraform files keyed by their content, so that a re-scan parses only what changed.

Parsing is about a quarter of a scan's CPU at 1,000 resources (docs/performance.md). The cache
holds what the HCL parser returned for a file, as JSON, under the SHA-256 of the file's text and the
brokerguard and parser versions; everything after parsing (Checkov's graph, the checks, the stack
rules) runs on every scan, so findings never come from the cache. A cache entry that cannot be read
is parsed again. The directory must be as trusted as the Terraform it caches.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from brokerguard import __version__


class _CachedParser:
    """Stands in for the ``hcl2`` module where Checkov parses a file (``hcl2.load(f)``)."""

    def __init__(self, real: Any, directory: Path) -> None:
        self.real = real
        self.directory = directory

    def load(self, fh: TextIO) -> Any:
        text = fh.read()
        key = hashlib.sha256(text.encode("utf-8")).hexdigest()
        entry = self.directory / key[:2] / f"{key}.json"
        with contextlib.suppress(OSError, ValueError):
            return json.loads(entry.read_text(encoding="utf-8"))
        parsed = self.real.loads(text)  # a parse error propagates to Checkov, as without the cache
        with contextlib.suppress(OSError, TypeError, ValueError):  # a cache that cannot be written only costs time
            entry.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(parsed, out)
            os.replace(tmp, entry)
        return parsed

    def __getattr__(self, name: str) -> Any:  # everything else Checkov uses from hcl2, unchanged
        return getattr(self.real, name)


class _MemoryParser:
    """Each text parsed once per scan of a Terraform directory, which runs Checkov once
    per possible world (a block whose count is 0 or unknown is left out and the tree read again), so
    the same files are read two or three times; a copy of the first parse is given each time."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.parsed: dict[str, str] = {}

    def load(self, fh: TextIO) -> Any:
        text = fh.read()
        key = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if key in self.parsed:
            return json.loads(self.parsed[key])
        parsed = self.real.load(io.StringIO(text))  # through the cache directory, when there is one
        with contextlib.suppress(TypeError, ValueError):
            self.parsed[key] = json.dumps(parsed)
        return parsed

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@contextlib.contextmanager
def parsed_once() -> Iterator[None]:
    """Within this block each text is parsed once (in front of the cache directory, if any)."""
    from brokerguard import compat_checkov

    with compat_checkov.hcl_parser(_MemoryParser):
        yield


@contextlib.contextmanager
def parse_cache(directory: Path | None) -> Iterator[None]:
    """Within this block, Checkov's HCL parsing goes through the cache in directory (None: no cache)."""
    if directory is None:
        yield
        return
    from brokerguard import compat_checkov

    versioned = Path(directory) / f"hcl-{__version__}-{compat_checkov.cached_parse_version()}"
    with compat_checkov.hcl_parser(lambda hcl2: _CachedParser(hcl2, versioned)):
        yield
