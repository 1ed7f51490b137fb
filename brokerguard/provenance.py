"""What an auditor needs to trust a report later: versions, the scanned commit, input hashes, the profile.

Collected after a scan from what the scan was given (its paths and profile file), so every source
(Terraform, Pulumi) gets the same record without knowing about it. Nothing here carries a clock
time: the same inputs give the same provenance.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brokerguard import __version__
from brokerguard.catalog import CATALOG_PATH, RULE_SETS_DIR, SCHEMA_VERSION
from brokerguard.checkov_scan import display_path
from brokerguard.providers.terraform import SKIPPED_DIRS

# Never hashed: tool caches that are not input (and that change under the scanner's feet).
_SKIPPED = SKIPPED_DIRS | {"__pycache__", ".pytest_cache"}


@dataclass(frozen=True)
class InputFile:
    path: str
    sha256: str


@dataclass(frozen=True)
class GitCommit:
    path: str  # the scanned path the commit was read from
    commit: str
    dirty: bool  # uncommitted changes under that path: the commit alone does not reproduce the input


@dataclass(frozen=True)
class Provenance:
    brokerguard_version: str
    checkov_version: str
    catalog_schema_version: int
    catalog_sha256: str
    profile_name: str | None
    profile_file: str | None
    git: tuple[GitCommit, ...]
    inputs: tuple[InputFile, ...]  # every file under the scanned paths, and the profile file
    rule_sets: tuple[tuple[str, str], ...] = ()  # (id, sha256 of policies/rule_sets/<id>.yaml) that judged it
    baseline: InputFile | None = None  # the accepted findings the gate read (--baseline)
    config: InputFile | None = None  # the config file the options came from


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def files_under(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    found = []
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIPPED)
        found.extend(Path(dirpath) / f for f in sorted(filenames) if (Path(dirpath) / f).is_file())
    return found


def _git(path: Path, *args: str) -> str | None:
    """Output of one git command in path, or None when git or a repository is not there."""
    cwd = path if path.is_dir() else path.parent
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=20,
                              env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


def git_commit(path: Path) -> GitCommit | None:
    head = _git(path, "rev-parse", "HEAD")
    if not head:
        return None
    status = _git(path, "status", "--porcelain", "--", "." if path.is_dir() else path.name)
    return GitCommit(str(display_path(str(path))), head.strip(), bool(status and status.strip()))


def _hashed(path: str | None) -> InputFile | None:
    return InputFile(str(display_path(path)), sha256_file(Path(path))) if path else None


def collect(paths: tuple[str, ...], profile_name: str | None, profile_file: str | None,
            baseline_file: str | None = None, config_file: str | None = None,
            rule_sets: tuple[str, ...] = ()) -> Provenance:
    scanned = [Path(p) for p in paths]
    files = [f for p in scanned if p.exists() for f in files_under(p)]
    if profile_file:
        files.append(Path(profile_file))
    inputs = {str(display_path(str(f))): sha256_file(f) for f in files}
    return Provenance(
        brokerguard_version=__version__,
        checkov_version=importlib.metadata.version("checkov"),
        catalog_schema_version=SCHEMA_VERSION,
        catalog_sha256=sha256_file(CATALOG_PATH),
        profile_name=profile_name,
        profile_file=str(display_path(profile_file)) if profile_file else None,
        git=tuple(c for c in (git_commit(p) for p in scanned if p.exists()) if c is not None),
        inputs=tuple(InputFile(p, h) for p, h in sorted(inputs.items())),
        rule_sets=tuple((rid, sha256_file(RULE_SETS_DIR / f"{rid}.yaml")) for rid in rule_sets),
        baseline=_hashed(baseline_file), config=_hashed(config_file),
    )


def to_dict(p: Provenance) -> dict[str, Any]:
    return {
        "brokerguard_version": p.brokerguard_version,
        "checkov_version": p.checkov_version,
        "catalog": {"schema_version": p.catalog_schema_version, "sha256": p.catalog_sha256},
        "rule_sets": [{"id": rid, "sha256": sha} for rid, sha in p.rule_sets],
        "profile": {"name": p.profile_name, "file": p.profile_file},
        "git": [{"path": g.path, "commit": g.commit, "dirty": g.dirty} for g in p.git],
        "inputs": [{"path": f.path, "sha256": f.sha256} for f in p.inputs],
        "baseline": {"path": p.baseline.path, "sha256": p.baseline.sha256} if p.baseline else None,
        "config": {"path": p.config.path, "sha256": p.config.sha256} if p.config else None,
    }
