"""Terraform HCL directories: find the files, refuse what cannot be read, explain parse errors."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from brokerguard.errors import InputError
from brokerguard.providers import terraform_override
from brokerguard.providers.terraform_tree import ModuleCall, resolve
from brokerguard.providers.terraform_variables import TerraformVariables
from brokerguard.schema import read_limited

MAX_FILE_BYTES = 10 * 1024 * 1024  # no hand-written .tf file is this large; refuse before parsing
SKIPPED_DIRS = {".terraform", ".git", "node_modules", ".venv"}
PARSE_HINT = "run `terraform fmt` on it, or scan the plan JSON (`terraform show -json plan.out`) instead"


@dataclass(frozen=True)
class TerraformSource:
    """A directory of Terraform files, scanned by Checkov's terraform framework."""

    root: Path
    files: tuple[Path, ...]  # the files Terraform reads: root modules and the modules they call
    roots: tuple[Path, ...] = ()  # root modules (several when the path is a monorepo of stacks)
    left_out: tuple[Path, ...] = ()  # .tf files no module reads: not judged, named in the report
    variables: TerraformVariables = TerraformVariables()  # --var-file and --var
    installed: tuple[tuple[ModuleCall, Path], ...] = ()  # module calls read from .terraform/modules
    calls: tuple[tuple[ModuleCall, Path], ...] = ()  # every module call, with its module's directory
    reach: tuple[frozenset[Path], ...] = ()  # per root: the module directories it reads
    kind: str = "terraform"
    framework: str = "terraform"

    def per_root(self) -> list[TerraformSource]:
        """One source per root module, holding only the files it reads: a root module is judged on its own,
        as Terraform plans it, so that its findings can be kept by the content of what it reads."""
        if len(self.roots) < 2:
            return [self]
        known = len(self.reach) == len(self.roots)  # else every root is given every file: Checkov reads its own
        out = []
        for i, root in enumerate(self.roots):
            files = tuple(f for f in self.files if not known or f.parent in self.reach[i])
            out.append(replace(self, files=files, roots=(root,), reach=self.reach[i:i + 1] if known else (),
                               left_out=(), installed=tuple((c, t) for c, t in self.installed if c.file in files),
                               calls=tuple((c, t) for c, t in self.calls if c.file in files)))
        return out


def _refuse_linked_dir(link: Path) -> None:
    """Checkov does not follow a symlinked directory: its files would go unchecked, and a pass would lie."""
    target = Path(os.path.realpath(link))
    if Path(os.path.realpath(link.parent)).is_relative_to(target):
        raise InputError(f"{link}: symlink loop (points back to {target})")
    raise InputError(f"{link}: a symlinked directory, which Checkov does not follow",
                     hint=f"scan {target} as a path of its own, or copy it into the tree")


def _walk_tf_files(root: Path, refuse: bool = True) -> list[Path]:
    """The .tf files under root; ``refuse``: what cannot be read whole is an InputError, else it is skipped."""
    files = []

    def unreadable(exc: OSError) -> None:  # os.walk hides errors unless asked; an unreadable dir is not empty
        raise InputError(f"{exc.filename}: cannot read directory ({exc.strerror})")

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable if refuse else None):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS)
        linked = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        if refuse and linked:
            _refuse_linked_dir(Path(dirpath) / linked[0])
        dirnames[:] = [d for d in dirnames if d not in linked]
        json_config = next((f for f in sorted(filenames) if f.endswith(".tf.json")), None)
        if json_config and refuse:  # Checkov's HCL scan skips these without a word: refuse rather than pass them
            raise InputError(f"{Path(dirpath) / json_config}: Terraform JSON configuration (.tf.json) is not read "
                             "by the HCL scan", hint="scan the plan JSON (`terraform show -json plan.out`) instead")
        files.extend(Path(dirpath) / f for f in sorted(filenames) if f.endswith(".tf"))
    return files


def files_to_parse(paths: list[Path]) -> list[Path]:
    """The .tf files a scan of these paths may read, found without refusing anything (the scan refuses what
    it must, in its order): worth parsing ahead while the catalog and Checkov load."""
    return [f for p in paths if p.is_dir() for f in _walk_tf_files(p, refuse=False)
            if f.is_file() and f.stat().st_size <= MAX_FILE_BYTES]


def _check_readable(path: Path) -> None:
    try:
        data = read_limited(path, MAX_FILE_BYTES, "a Terraform file")
    except OSError as exc:  # a symlink loop, a dangling link, no permission, a directory named *.tf
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{path}: UTF-16 text; Terraform files are UTF-8 (re-save it as UTF-8)")
    if b"\x00" in data:
        raise InputError(f"{path}: binary content (NUL bytes) in a .tf file")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{path}:{line}: not UTF-8 text (byte {data[exc.start]:#04x})") from None


def open_directory(root: Path, variables: TerraformVariables | None = None) -> TerraformSource:
    """The module tree under root, every file of it checked to be readable text; no .tf file is an error."""
    files = _walk_tf_files(root)
    if not files:
        raise InputError(f"{root}: nothing to scan (no Terraform .tf files, CloudFormation templates, Pulumi program "
                         f"or CDK cloud assembly found)")
    for path in files:
        _check_readable(path)
    tree = resolve(root, files)
    if not tree.roots:
        raise InputError(f"{root}: no root module (every directory with .tf files is called as a module by another)")
    read = sorted({p for d in tree.module_dirs for p in d.glob("*.tf") if p.is_file()})
    for path in read:
        if not path.is_relative_to(root):  # a module outside the scanned path, called by a relative source
            _check_readable(path)
    terraform_override.check(read)  # merged while Checkov parses; what Terraform refuses stops here
    return TerraformSource(root=root, files=tuple(read), roots=tree.roots, left_out=tree.left_out,
                           variables=variables or TerraformVariables(), installed=tree.installed,
                           calls=tree.calls, reach=tree.reach)


def describe_parse_error(path: Path) -> str:
    """Parse one file with the parser Checkov uses, to say where it fails (Checkov only counts)."""
    import hcl2  # bc-python-hcl2, installed with checkov

    text = path.read_text(encoding="utf-8")
    try:
        hcl2.loads(text)
    except Exception as exc:  # noqa: BLE001 (lark raises several exception types, all with line/column when known
        line = getattr(exc, "line", None)
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"{path}:{line}: cannot parse Terraform ({detail})" if line else f"{path}: cannot parse Terraform ({detail})"
    return f"{path}: Checkov could not parse this file"
