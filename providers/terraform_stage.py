"""A copy of a Terraform module tree for Checkov to read: only the files Terraform reads, modules that
`terraform init` installed called by a local path (Checkov does not read .terraform/modules), only the
root modules' variable files, and blocks Terraform would not create blanked out (lines kept, so every
finding keeps its file and line). Paths in Checkov's output are mapped back to the user's files."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from brokerguard.providers.terraform import TerraformSource

# Terraform reads these in a root module only; Checkov would read them in every directory.
VARIABLE_FILES = re.compile(r"(terraform\.tfvars|terraform\.tfvars\.json|.+\.auto\.tfvars|.+\.auto\.tfvars\.json)")
_SOURCE = re.compile(r'^(\s*source\s*=\s*)"[^"]*"', re.MULTILINE)


@dataclass(frozen=True)
class Staged:
    roots: tuple[Path, ...]  # the root modules in the copy, in the source's order
    var_files: tuple[str, ...]  # --var-file, then the --var values as a file, for Checkov
    base: Path  # the copy's top
    real_base: Path  # what it is a copy of

    def real(self, path: str | os.PathLike[str]) -> Path:
        """The user's file for a path in the copy (paths outside it are returned as they are)."""
        p = Path(os.path.abspath(path))
        return self.real_base / p.relative_to(self.base) if p.is_relative_to(self.base) else p


def _blanked(text: str, ranges: list[tuple[int, int]]) -> str:
    lines = text.splitlines(keepends=True)
    for start, end in ranges:
        for i in range(start - 1, min(end, len(lines))):
            lines[i] = "\n"
    return "".join(lines)


def _with_local_source(text: str, line: int, relative: str) -> str:
    """Point the module block that starts at line to a local directory (its first `source =` after it)."""
    offset = sum(len(x) for x in text.splitlines(keepends=True)[: line - 1])
    match = _SOURCE.search(text, offset)
    if not match:
        return text
    return text[: match.start()] + f'{match.group(1)}"{relative}"' + text[match.end():]


@contextlib.contextmanager
def staged(source: TerraformSource, blank: Mapping[Path, list[tuple[int, int]]]) -> Iterator[Staged]:
    """The module tree copied to a temporary directory, with blank's line ranges emptied."""
    real_base = Path(os.path.commonpath([str(source.root), *(str(f) for f in source.files)]))
    if real_base.is_file():
        real_base = real_base.parent
    rewrites: dict[Path, list[tuple[int, Path]]] = {}
    for call, target in source.installed:
        rewrites.setdefault(call.file, []).append((call.line, target))
    with tempfile.TemporaryDirectory(prefix="brokerguard-tf-") as tmp:
        base = Path(tmp) / "tree"
        for path in source.files:
            text = path.read_text(encoding="utf-8")
            for line, target in sorted(rewrites.get(path, []), reverse=True):
                relative = os.path.relpath(base / target.relative_to(real_base), base / path.parent.relative_to(real_base))
                text = _with_local_source(text, line, relative if relative.startswith("../") else f"./{relative}")
            out = base / path.relative_to(real_base)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(_blanked(text, blank.get(path, [])), encoding="utf-8")
        for root in source.roots:
            for variables in sorted(root.iterdir()):
                if VARIABLE_FILES.fullmatch(variables.name) and variables.is_file():
                    out = base / variables.relative_to(real_base)
                    out.write_bytes(variables.read_bytes())
        var_files = [str(p.resolve()) for p in source.variables.files]
        if source.variables.values:
            cli_values = Path(tmp) / "command-line.tfvars"
            cli_values.write_text(source.variables.as_tfvars(), encoding="utf-8")
            var_files.append(str(cli_values))
        yield Staged(roots=tuple(base / r.relative_to(real_base) for r in source.roots), base=base, real_base=real_base,
                     var_files=tuple(var_files))
