"""Parsed Terraform files keyed by their content, so that a file is parsed once per scan, and once per
--cache-dir across scans.

A scan runs Checkov once per root module, and again when some blocks' count is 0 or unknown
(checkov_scan); each run parses every file it reads, and a module called by several root modules is
read by each. The parser's output for a text is kept as JSON under the SHA-256 of the text (in memory,
and in --cache-dir under the brokerguard and parser versions) and given back as a fresh copy, so that
Checkov may change it as it does a fresh parse. A cache entry that cannot be read is parsed again.
The files a scan is about to judge are parsed ahead in two forked workers when there are enough of
them (prefill); a file the workers cannot parse is left to Checkov, which reports it as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from brokerguard import __version__, parallel, scan_cache


class _CachedParser:
    """Stands in for the ``hcl2`` module where Checkov parses a file (``hcl2.load(f)``)."""

    def __init__(self, real: Any, directory: Path | None) -> None:
        self.real = real
        self.directory = directory
        self.parsed: dict[str, str] = {}  # SHA-256 of a text -> its parse, as JSON

    def load(self, fh: TextIO) -> Any:
        text = fh.read()
        key = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if key not in self.parsed:
            stored = self._stored(key)
            if stored is None:
                parsed = self.real.loads(text)  # a parse error propagates to Checkov, as without the cache
                try:
                    stored = json.dumps(parsed)
                except (TypeError, ValueError):  # not plain data: given as parsed, never kept
                    return parsed
                self._keep(key, stored)
            self.parsed[key] = stored
        return json.loads(self.parsed[key])

    def _stored(self, key: str) -> str | None:
        if self.directory is None:
            return None
        with contextlib.suppress(OSError, UnicodeDecodeError):
            text = (self.directory / key[:2] / f"{key}.json").read_text(encoding="utf-8")
            with contextlib.suppress(ValueError):
                json.loads(text)
                return text
        return None

    def _keep(self, key: str, found: str) -> None:
        if self.directory is not None:
            entry = self.directory / key[:2] / f"{key}.json"
            with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
                entry.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    out.write(found)
                os.replace(tmp, entry)

    def __getattr__(self, name: str) -> Any:  # everything else Checkov uses from hcl2, unchanged
        return getattr(self.real, name)


    def prefill(self, files: list[Path]) -> None:
        """Parse these files ahead, on every core, when there are enough of them to pay for the workers."""
        texts: dict[str, str] = {}
        for path in files:
            with contextlib.suppress(OSError, UnicodeDecodeError):  # Checkov reads it and says what is wrong
                text = path.read_text(encoding="utf-8")  # as Checkov reads it (text mode)
                key = hashlib.sha256(text.encode("utf-8")).hexdigest()
                if key not in self.parsed:
                    stored = self._stored(key)
                    if stored is None:
                        texts[key] = text
                    else:
                        self.parsed[key] = stored
        if len(texts) < PARALLEL_FROM or parallel.workers(len(texts)) < 2:
            return  # Checkov parses them as it reads them
        keys = list(texts)
        for key, found in zip(keys, parallel.forked_map(_parse_json, [(texts[k],) for k in keys], chunksize=4),
                              strict=True):
            if found is not None:  # a file that does not parse is parsed again by Checkov, which reports it
                self.parsed[key] = found
                self._keep(key, found)


PARALLEL_FROM = 16  # fewer files parse faster than two workers start


def _parse_json(text: str) -> str | None:
    import hcl2

    try:
        return json.dumps(hcl2.loads(text))
    except Exception:  # noqa: BLE001 (lark raises several types; Checkov's own parse reports the error)
        return None


@contextlib.contextmanager
def parse_once(files: list[Path]) -> Iterator[None]:
    """Within this block, Checkov parses each distinct text once (and through --cache-dir, when given);
    ``files``, which Checkov is about to read, are parsed ahead in parallel."""
    from brokerguard import compat_checkov

    directory = scan_cache.directory()
    versioned = None if directory is None else directory / f"hcl-{__version__}-{compat_checkov.cached_parse_version()}"
    parser: list[_CachedParser] = []

    def make(real: Any) -> _CachedParser:
        parser.append(_CachedParser(real, versioned))
        return parser[0]

    with compat_checkov.hcl_parser(make):
        parser[0].prefill(files)
        yield
