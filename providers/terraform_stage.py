"""A copy of a Terraform module tree for Checkov to read: only the files Terraform reads; modules that
`terraform init` installed, called by a local path (Checkov does not read .terraform/modules); the
variable values of each root module merged into one file (terraform_variables); blocks Terraform
would not create blanked out, lines kept, so that every finding keeps its file and line. Paths in
Checkov's output are mapped back to the user's files."""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from brokerguard.providers.terraform import TerraformSource
from brokerguard.providers.terraform_types import argument_rewrites, default_rewrites, typed_values
from brokerguard.providers.terraform_variables import ENV_PREFIX

# Every value a root module gets from outside its defaults, merged in Terraform's order; Checkov reads
# it last of the *.auto.tfvars files ("~" sorts after letters), in the root module only.
MERGED_VARIABLES = "~brokerguard.auto.tfvars.json"
_SOURCE = re.compile(r'^(\s*source\s*=\s*)"[^"]*"', re.MULTILINE)


@dataclass(frozen=True)
class Staged:
    roots: tuple[Path, ...]  # the root modules in the copy, in the source's order
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
def _no_environment_variables() -> Iterator[None]:
    """TF_VAR_* are merged into the root modules' file: Checkov would give them to every module too."""
    saved = {k: v for k, v in os.environ.items() if k.startswith(ENV_PREFIX)}
    for key in saved:
        del os.environ[key]
    try:
        yield
    finally:
        os.environ.update(saved)


@contextlib.contextmanager
def staged(source: TerraformSource, blank: Mapping[Path, list[tuple[int, int]]]) -> Iterator[Staged]:
    """The module tree copied to a temporary directory, with blank's line ranges emptied."""
    real_base = Path(os.path.commonpath([str(source.root), *(str(f) for f in source.files)]))
    if real_base.is_file():
        real_base = real_base.parent
    rewrites: dict[Path, list[tuple[int, Path]]] = {}
    for call, target in source.installed:
        rewrites.setdefault(call.file, []).append((call.line, target))
    # optional()-typed values Checkov would leave unevaluated, converted on their own lines
    defaults: dict[Path, list[tuple[int, int, str]]] = {}
    for directory in sorted({f.parent for f in source.files} - set(source.roots)):  # root modules: tfvars below
        defaults.update(default_rewrites([f for f in source.files if f.parent == directory], str(directory)))
    for call, target in source.calls:
        module_files = [f for f in source.files if f.parent == target]
        spans = argument_rewrites(call.file.read_text(encoding="utf-8"), call.line, module_files,
                                  f"{call.file}:{call.line}: module \"{call.name}\"")
        defaults.setdefault(call.file, []).extend(spans)
    with tempfile.TemporaryDirectory(prefix="brokerguard-tf-") as tmp:
        base = Path(tmp) / "tree"
        for path in source.files:
            text = path.read_text(encoding="utf-8")
            for start, end, value in sorted(defaults.get(path, []), reverse=True):
                text = text[:start] + value + text[end:]
            for line, target in sorted(rewrites.get(path, []), reverse=True):
                relative = os.path.relpath(base / target.relative_to(real_base), base / path.parent.relative_to(real_base))
                text = _with_local_source(text, line, relative if relative.startswith("../") else f"./{relative}")
            out = base / path.relative_to(real_base)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(_blanked(text, blank.get(path, [])), encoding="utf-8")
        for root in source.roots:  # one file of every value from outside, read by the root module alone
            values = source.variables.root_values(root, os.environ)
            values.update(typed_values([f for f in source.files if f.parent == root], values, str(root)))
            if values:
                merged = base / root.relative_to(real_base) / MERGED_VARIABLES
                merged.write_text(json.dumps(values), encoding="utf-8")
        with _no_environment_variables():
            yield Staged(roots=tuple(base / r.relative_to(real_base) for r in source.roots), base=base,
                         real_base=real_base)
