"""Where reports go: standard output, files, devices. Every failure is one InputError, and a failure
leaves no partial report and no temporary file behind.

A regular file (new, or the target of a symlink) is replaced atomically, every report of a run
together: each is written to a temporary file beside it first, and only when all are written are
they renamed into place. A device, FIFO or socket (``/dev/null``, a named pipe a CI step reads) is
written as it is, never replaced by a regular file. ``-`` is standard output.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from pathlib import Path

from brokerguard.errors import InputError

STDOUT = "-"
# What a scanned directory is read for: Terraform (.tf, .tfvars, .hcl), Pulumi programs and settings.
READ_IN_TREES = frozenset({".tf", ".tfvars", ".hcl", ".py", ".yaml", ".yml"})


class OutputError(InputError):
    """The report cannot go where it was asked to: no report can be written about it either."""


def _mode(path: Path) -> int | None:
    """The st_mode of what path names (a symlink followed), or None when nothing is there."""
    try:
        return os.stat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the report ({exc.strerror})") from None


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def refuse_inputs(destinations: list[Path], inputs: list[Path]) -> None:
    """A report must not overwrite what is being scanned: a scanned file (plan, export, profile), or
    in a scanned directory a file of a kind the scan reads (a .tf of the tree, a Pulumi program's
    code or settings). Reports beside the code (the Action's brokerguard-reports/ in ".") are fine."""
    scanned = [p.resolve() for p in inputs if p.exists()]
    for dest in destinations:
        if str(dest) == STDOUT:
            continue
        real = dest.resolve()
        for src in scanned:
            if real == src or (src.is_dir() and _inside(real, src) and real.suffix in READ_IN_TREES):
                raise OutputError(f"{dest}: is an input of this scan ({src}); write the report elsewhere")


def check_directory(folder: Path) -> None:
    mode = _mode(folder)
    if mode is not None and not stat.S_ISDIR(mode):
        raise OutputError(f"{folder}: --output-dir names a file, not a directory")


def _stdout(text: str) -> None:
    stream = sys.stdout
    try:
        if stream is None or stream.closed:
            raise ValueError
        stream.write(text)
        stream.flush()
    except (OSError, ValueError) as exc:  # closed, a broken pipe, a full disk behind a redirect
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "closed"
        raise OutputError(f"standard output: cannot write the report ({why})") from None


def _temporary(path: Path, text: str, existing: int | None) -> Path:
    """The text in a temporary file beside path, with the mode the report will have."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the report ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, stat.S_IMODE(existing) if existing is not None else 0o666 & ~umask)
    except OSError as exc:
        os.unlink(tmp)
        raise OutputError(f"{path}: cannot write the report ({exc.strerror or exc})") from None
    return Path(tmp)


def write_all(reports: list[tuple[Path | None, str]]) -> None:
    """Write every (destination, text); None or ``-`` is standard output. All or nothing for files."""
    staged: list[tuple[Path, Path]] = []  # (temporary, final)
    devices: list[tuple[Path, str]] = []
    try:
        for dest, text in reports:
            if dest is None or str(dest) == STDOUT:
                continue
            mode = _mode(dest)
            if mode is not None and stat.S_ISDIR(mode):
                raise OutputError(f"{dest}: is a directory (--output names a file; --output-dir DIR writes one per format)")
            if mode is not None and not stat.S_ISREG(mode):
                devices.append((dest, text))  # a device or FIFO: written as it is, never replaced
                continue
            final = Path(os.path.realpath(dest))  # a symlink keeps pointing at the report
            staged.append((_temporary(final, text, mode), final))
        for dest, text in devices:
            try:
                with open(dest, "w", encoding="utf-8") as fh:
                    fh.write(text)
            except OSError as exc:
                raise OutputError(f"{dest}: cannot write the report ({exc.strerror or exc})") from None
        for dest, text in reports:
            if dest is None or str(dest) == STDOUT:
                _stdout(text)
        for tmp, final in staged:
            try:
                os.replace(tmp, final)
            except OSError as exc:
                raise OutputError(f"{final}: cannot write the report ({exc.strerror or exc})") from None
    finally:
        for tmp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
