"""Parsed Terraform files keyed by their content, so that a file is parsed once per scan, and once per
--cache-dir across scans.

A scan runs Checkov once per root module, and again when some blocks' count is 0 or unknown
(checkov_scan); each run parses every file it reads, and a module called by several root modules is
read by each. The parser's output for a text is kept as JSON under the SHA-256 of the text (in memory,
and in --cache-dir under the brokerguard and parser versions) and given back as a fresh copy, so that
Checkov may change it as it does a fresh parse. A cache entry that cannot be read is parsed again.
The files a scan may read are parsed in a forked worker from its start, while this process loads the
catalog and Checkov on the other core (parsing_ahead); what is still unparsed when Checkov is about to
read it is parsed on both cores (prefill). Both go by content, so a file changed meanwhile is parsed
again; a file the workers cannot parse is left to Checkov, which reports it as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
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
        return _stored(self.directory, key)

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
        """Take what was parsed ahead while Checkov loaded, then parse the rest of these files on every core,
        when there are enough of them to pay for the workers."""
        if _ahead:
            for key, found in _ahead[0].take().items():
                self.parsed[key] = found
                self._keep(key, found)
        texts = _unparsed(files, self.parsed, self.directory)
        if len(texts) < PARALLEL_FROM or parallel.workers(len(texts)) < 2:
            return  # Checkov parses them as it reads them
        keys = list(texts)
        for key, found in zip(keys, parallel.forked_map(_parse_json, [(texts[k],) for k in keys], chunksize=4),
                              strict=True):
            if found is not None:  # a file that does not parse is parsed again by Checkov, which reports it
                self.parsed[key] = found
                self._keep(key, found)


PARALLEL_FROM = 16  # fewer files parse faster than two workers start
AHEAD_BATCH = 8  # files a batch parsed ahead; what has not started when the scan needs it is parsed on every core


def _stored(directory: Path | None, key: str) -> str | None:
    if directory is None:
        return None
    with contextlib.suppress(OSError, UnicodeDecodeError):
        text = (directory / key[:2] / f"{key}.json").read_text(encoding="utf-8")
        with contextlib.suppress(ValueError):
            json.loads(text)
            return text
    return None


def _unparsed(files: list[Path], known: dict[str, str], directory: Path | None,
              look_only: bool = False) -> dict[str, str]:
    """The texts of these files (by SHA-256) neither in known nor in the cache directory; what the
    directory holds is added to known (``look_only``: an entry there is enough, it is not read)."""
    texts: dict[str, str] = {}
    for path in files:
        with contextlib.suppress(OSError, UnicodeDecodeError):  # Checkov reads it and says what is wrong
            text = path.read_text(encoding="utf-8")  # as Checkov reads it (text mode)
            key = hashlib.sha256(text.encode("utf-8")).hexdigest()
            if key in known or key in texts:
                continue
            if look_only:
                if directory is None or not (directory / key[:2] / f"{key}.json").is_file():
                    texts[key] = text
            elif (stored := _stored(directory, key)) is None:
                texts[key] = text
            else:
                known[key] = stored
    return texts


def _parse_json(text: str) -> str | None:
    import hcl2

    try:
        return json.dumps(hcl2.loads(text))
    except Exception:  # noqa: BLE001 (lark raises several types; Checkov's own parse reports the error)
        return None


def _parse_batch(texts: list[str]) -> list[str | None]:
    return [_parse_json(t) for t in texts]


class _Ahead:
    """Batches of texts parsed in one forked worker while this process loads Checkov on the other core."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.executor = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
        keys = list(texts)
        self.batches = [(keys[i:i + AHEAD_BATCH], self.executor.submit(_parse_batch, [texts[k] for k in keys[i:i + AHEAD_BATCH]]))
                        for i in range(0, len(keys), AHEAD_BATCH)]

    def take(self) -> dict[str, str]:
        """The parses done or under way (waited for); batches not begun are dropped, and the worker
        ends. They are kept by content, never by a file's name: a file changed since is parsed again."""
        found: dict[str, str] = {}
        for keys, future in self.batches:
            if future.cancel():
                continue
            try:
                parsed = future.result()
            except Exception:  # noqa: BLE001 (the worker died, killed or out of memory: these are parsed again)
                continue
            found.update((k, v) for k, v in zip(keys, parsed, strict=True) if v is not None)
        self.close()
        return found

    def close(self) -> None:
        self.batches = []
        self.executor.shutdown(wait=True, cancel_futures=True)


_ahead: list[_Ahead] = []  # at most one, for the scan under way


@contextlib.contextmanager
def parsing_ahead(files: list[Path]) -> Iterator[None]:
    """While this block runs, these files (the ones a scan may read) are parsed in a forked worker, begun
    now, before the catalog and Checkov load; parse_once takes what it finished."""
    texts = _unparsed(files, {}, _versioned(), look_only=True)  # parse entries are read once, by prefill
    if len(texts) < PARALLEL_FROM or parallel.workers(len(texts)) < 2 or _ahead:
        yield
        return
    _ahead.append(_Ahead(texts))
    try:
        yield
    finally:
        _ahead.pop().close()


def _versioned() -> Path | None:
    """Where --cache-dir keeps parses: under the versions of brokerguard and of the parser."""
    from brokerguard import compat_checkov

    directory = scan_cache.directory()
    return None if directory is None else directory / f"hcl-{__version__}-{compat_checkov.cached_parse_version()}"


@contextlib.contextmanager
def parse_once(files: list[Path]) -> Iterator[None]:
    """Within this block, Checkov parses each distinct text once (and through --cache-dir, when given);
    ``files``, which Checkov is about to read, are parsed ahead in parallel."""
    from brokerguard import compat_checkov

    versioned = _versioned()
    parser: list[_CachedParser] = []

    def make(real: Any) -> _CachedParser:
        parser.append(_CachedParser(real, versioned))
        return parser[0]

    with compat_checkov.hcl_parser(make):
        parser[0].prefill(files)
        yield
