"""`.brokerguard.yaml`: defaults for `brokerguard scan`, so that CI and pre-commit run the same scan.

Found in the working directory, else at the repository root (git top level), or named by
`--config-file FILE`. Keys are scan's long options without the dashes (`tier`, `gate`, `soft-fail`,
`paths`...); precedence: command line > config file > defaults. An unknown key is an error, not a
silent no-op: a typo in a gate setting would otherwise switch the gate off.
Relative paths in the file are relative to the file's directory, wherever brokerguard runs from.
"""

from __future__ import annotations

import argparse
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brokerguard.errors import InputError
from brokerguard.schema import load_yaml

FILE_NAME = ".brokerguard.yaml"
# Options that only make sense for one run: never read from a file.
COMMAND_LINE_ONLY = {"config_file", "output", "create_baseline", "changed_files"}


@dataclass(frozen=True)
class Config:
    path: Path | None
    values: dict[str, Any]  # argparse dest -> typed value


def git_top_level(where: Path) -> Path | None:
    cwd = where if where.is_dir() else where.parent
    try:
        proc = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True, text=True,
                              timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(proc.stdout.strip()) if proc.returncode == 0 and proc.stdout.strip() else None


def find(explicit: Path | None) -> Path | None:
    if explicit is not None:
        if not explicit.is_file():
            raise InputError(f"{explicit}: config file not found")
        return explicit
    here = Path.cwd() / FILE_NAME
    if here.is_file():
        return here
    top = git_top_level(Path.cwd())
    if top is not None and (top / FILE_NAME).is_file():
        return top / FILE_NAME
    return None


def _key(action: argparse.Action) -> str:
    longs = [o for o in action.option_strings if o.startswith("--")]
    return longs[0][2:] if longs else action.dest


def keys(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """Config key -> the scan option it sets."""
    return {_key(a): a for a in parser._actions
            if a.dest not in COMMAND_LINE_ONLY and a.dest != "help" and not isinstance(a, argparse._VersionAction)}


def _convert(action: argparse.Action, raw: Any, where: str, base: Path) -> Any:
    if action.nargs == 0 or isinstance(action, argparse.BooleanOptionalAction):
        if not isinstance(raw, bool):
            raise InputError(f"{where}: expected true or false, got {raw!r}")
        return raw
    if action.nargs in ("*", "+"):
        items = raw if isinstance(raw, list) else [raw]
        return [_one(action, item, where, base) for item in items]
    if isinstance(raw, list) and action.dest == "format":
        raw = ",".join(map(str, raw))
    return _one(action, raw, where, base)


def _one(action: argparse.Action, raw: Any, where: str, base: Path) -> Any:
    if isinstance(raw, (dict, list)) or raw is None:
        raise InputError(f"{where}: expected a single value, got {type(raw).__name__}")
    text = raw.isoformat() if hasattr(raw, "isoformat") else str(raw)  # YAML reads 2024-06-30 as a date
    try:
        value = action.type(text) if action.type else text
    except (argparse.ArgumentTypeError, ValueError, TypeError) as exc:
        raise InputError(f"{where}: {exc}") from None
    if action.choices is not None and value not in action.choices:
        raise InputError(f"{where}: {value!r} is not one of {', '.join(map(str, action.choices))}")
    if isinstance(value, Path) and not value.is_absolute():
        value = _near(base / value)
    return value


def _near(path: Path) -> Path:
    """Relative to the working directory when under it, as the reports show paths."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else Path(rel)


def load(path: Path | None, parser: argparse.ArgumentParser) -> Config:
    if path is None:
        return Config(None, {})
    raw = load_yaml(path)
    if raw is None:
        return Config(path, {})
    if not isinstance(raw, dict):
        raise InputError(f"{path}: expected a mapping of option: value, got {type(raw).__name__}")
    known = keys(parser)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        action = known.get(str(key))
        if action is None:
            only = {k.replace("_", "-") for k in COMMAND_LINE_ONLY}
            why = "a command-line option, not a config key" if str(key) in only else "unknown key"
            raise InputError(f"{path}: {why} {key!r} (keys: {', '.join(sorted(known))})")
        values[action.dest] = _convert(action, value, f"{path}: {key}", path.parent.resolve())
    if values.get("tier") is not None and values.get("capital") is not None:
        raise InputError(f"{path}: tier and capital exclude each other")
    return Config(path, values)


def effective(parser: argparse.ArgumentParser, config: Config, args: argparse.Namespace,
              given: set[str]) -> list[tuple[str, Any, str]]:
    """(key, value, where it came from) for every option, in the parser's order."""
    rows = []
    for key, action in keys(parser).items():
        value = getattr(args, action.dest, None)
        source = "command line" if action.dest in given else "config file" if action.dest in config.values else "default"
        rows.append((key, value, source))
    return rows
