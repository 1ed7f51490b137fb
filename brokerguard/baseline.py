"""A baseline of accepted findings: `--create-baseline FILE` writes one, `--baseline FILE` reads it.

An entry is (check, resource address, fingerprint). The fingerprint hashes what the check judged on
the resource (the attributes it reads, or the whole resource when it reads connections), never the
file or line: moving a resource keeps it accepted, changing what was judged makes it new again.
A stack-level finding fingerprints the resources of the types its rule reads.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brokerguard.errors import InputError
from brokerguard.model import Finding, Resource

FORMAT = "brokerguard-baseline/1"
_ENTRY_KEYS = {"check_id", "resource", "fingerprint", "control", "file"}


@dataclass(frozen=True)
class Entry:
    check_id: str
    resource: str
    fingerprint: str
    control: str = ""  # informative: where the finding was reported
    file: str = ""  # informative: never matched on

    @property
    def key(self) -> tuple[str, str, str]:
        return self.check_id, self.resource, self.fingerprint


@dataclass(frozen=True)
class Baseline:
    path: str
    sha256: str
    entries: tuple[Entry, ...]

    def accepts(self, key: tuple[str, str, str]) -> bool:
        return key in self._keys

    @functools.cached_property
    def _keys(self) -> frozenset[tuple[str, str, str]]:
        return frozenset(e.key for e in self.entries)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _judged_values(resource: Resource, attributes: frozenset[str] | None) -> dict[str, Any]:
    if not attributes:
        return resource.values
    return {k: v for k, v in resource.values.items() if k in attributes}


def fingerprint(finding: Finding, resources: dict[str, Resource], attributes: frozenset[str] | None,
                reads: tuple[str, ...] | None) -> str:
    """What the check judged, hashed. ``attributes``: what a resource check reads (None: all of it);
    ``reads``: the types a stack rule reads (None: every type)."""
    resource = resources.get(finding.resource)
    if resource is not None:
        content: Any = {"type": resource.type, "values": _judged_values(resource, attributes),
                        "tags": resource.tags}
    else:  # a stack-level absence: what the rule looked at
        content = [[r.address, r.type, r.values] for r in sorted(resources.values(), key=lambda r: r.address)
                   if reads is None or r.type in reads]
    return _digest(finding.check_id, finding.resource, _canonical(content))[:32]


def to_text(entries: Iterable[Entry]) -> str:
    unique = sorted(set(entries), key=lambda e: (e.check_id, e.resource, e.fingerprint))
    doc = {"format": FORMAT, "findings": [
        {"check_id": e.check_id, "resource": e.resource, "fingerprint": e.fingerprint, "control": e.control,
         "file": e.file} for e in unique]}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _entry(raw: Any, path: Path, i: int) -> Entry:
    if not isinstance(raw, dict):
        raise InputError(f"{path}: findings[{i}] is not an object")
    unknown = sorted(set(raw) - _ENTRY_KEYS)
    if unknown:
        raise InputError(f"{path}: findings[{i}] has an unknown key {unknown[0]!r}")
    for key in ("check_id", "resource", "fingerprint"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise InputError(f"{path}: findings[{i}] has no {key} (a non-empty string)")
    for key in ("control", "file"):
        if not isinstance(raw.get(key, ""), str):
            raise InputError(f"{path}: findings[{i}].{key} is not a string")
    return Entry(raw["check_id"], raw["resource"], raw["fingerprint"], raw.get("control", ""), raw.get("file", ""))


def load(path: Path) -> Baseline:
    """A baseline file, or one line naming the file and what is wrong with it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the baseline ({exc.strerror})") from None
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{path}: the baseline is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: the baseline is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InputError(f"{path}: not a brokerguard baseline (expected \"format\": \"{FORMAT}\"; "
                         f"write one with --create-baseline)")
    unknown = sorted(set(doc) - {"format", "findings"})
    if unknown:
        raise InputError(f"{path}: unknown key {unknown[0]!r} in the baseline")
    raw = doc.get("findings")
    if not isinstance(raw, list):
        raise InputError(f"{path}: the baseline's findings is not a list")
    return Baseline(str(path), hashlib.sha256(data).hexdigest(), tuple(_entry(r, path, i) for i, r in enumerate(raw)))
