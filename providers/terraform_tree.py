"""The Terraform module tree as Terraform reads it: which directories are root modules, which modules
they call, and which .tf files no module reads (never judged, and named in the report).

A directory that holds .tf files is the root module and its subdirectories count only when a module
block calls them. A directory without .tf files of its own holds several root modules (a monorepo of
stacks): each top-most directory with .tf files that no other one calls is a root module, each read
as Terraform would read it on its own, and the stacks are judged together, as when several paths are
given (docs/getting-started.md). A module whose source is not on this machine cannot be read: the
scan stops (exit 2) naming the call and what would settle it, never judging a tree with a hole.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brokerguard.errors import InputError
from brokerguard.providers.terraform_override import is_override

_MODULE_BLOCK = re.compile(r'^[ \t]*module[ \t]+"', re.MULTILINE)
LOCAL_PREFIXES = ("./", "../")
INIT_HINT = "run `terraform init` in {root} (modules it installs are read offline from .terraform/modules), " \
            "or scan the plan JSON (`terraform show -json plan.out`)"


@dataclass(frozen=True)
class ModuleCall:
    name: str  # the module block's label
    source: str
    file: Path
    line: int


@dataclass(frozen=True)
class ModuleTree:
    roots: tuple[Path, ...]  # root modules, in path order
    module_dirs: frozenset[Path]  # every directory Terraform reads: the roots and what they call
    left_out: tuple[Path, ...]  # .tf files under the scanned path in no module directory
    installed: tuple[tuple[ModuleCall, Path], ...] = ()  # calls read from what `terraform init` installed
    calls: tuple[tuple[ModuleCall, Path], ...] = ()  # every call of the roots' tree, with its module's directory
    reach: tuple[frozenset[Path], ...] = ()  # per root: the module directories it reads, itself included


def block_text(text: str, start: int) -> str:
    """The text of the block that opens at start, to its closing brace (strings and comments skipped)."""
    depth, i, n = 0, text.index("{", start), len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c == "#" or text.startswith("//", i):
            i = text.find("\n", i)
            i = n if i < 0 else i
        elif text.startswith("/*", i):
            i = text.find("*/", i)
            i = n if i < 0 else i + 1
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return text[start:i + 1]
        i += 1
    return text[start:]


def _calls_in(files: list[Path]) -> list[ModuleCall]:
    """Module blocks of one directory. Only the blocks are parsed here (Checkov parses whole files, and
    reports a file it cannot parse with its line); the rest of a file is not read twice."""
    import hcl2  # bc-python-hcl2, installed with checkov

    calls: dict[str, ModuleCall] = {}
    # Override files last, in lexical order: a module block there changes a call's source, if it sets one.
    for path in sorted(files, key=lambda p: (is_override(p), p.name)):
        text = path.read_text(encoding="utf-8")
        for match in _MODULE_BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            try:
                parsed = hcl2.loads(block_text(text, match.start()))
            except Exception:  # noqa: BLE001 (Checkov names the file and line it cannot parse)
                continue
            for block in parsed.get("module") or []:
                for name, conf in block.items():
                    source = (conf.get("source") or [None])[0] if isinstance(conf, dict) else None
                    if is_override(path) and (name not in calls or source is None):
                        continue  # nothing to override is refused with the other override errors
                    if not isinstance(source, str) or "${" in source:
                        raise InputError(f"{path}:{line}: module \"{name}\" has no literal source, so the module "
                                         "it calls cannot be known")
                    calls[name] = ModuleCall(name=name, source=source, file=path, line=line)
    return list(calls.values())


def _installed(root: Path) -> dict[str, Path]:
    """Modules `terraform init` installed for a root module: module key ("a", "a.b") -> directory."""
    manifest = root / ".terraform" / "modules" / "modules.json"
    if not manifest.is_file():
        return {}
    try:
        doc: Any = json.loads(manifest.read_text(encoding="utf-8"))
        entries = {str(m["Key"]): root / str(m["Dir"]) for m in doc["Modules"] if m.get("Key")}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{manifest}: not a module manifest terraform init writes ({type(exc).__name__})",
                         hint=INIT_HINT.format(root=root)) from None
    return entries


def _target(call: ModuleCall, key: str, root: Path, installed: dict[str, Path]) -> Path:
    if call.source.startswith(LOCAL_PREFIXES):
        target = Path(os.path.normpath(call.file.parent / call.source))
        if not target.is_dir():
            raise InputError(f"{call.file}:{call.line}: module \"{call.name}\" calls {call.source}, which is not a "
                             "directory", hint="fix the source path, or scan the plan JSON (`terraform show -json plan.out`)")
        return target
    if key in installed and installed[key].is_dir():
        return installed[key]
    raise InputError(f"{call.file}:{call.line}: module \"{call.name}\" (source {call.source}) is not on this "
                     "machine, so its resources cannot be read", hint=INIT_HINT.format(root=root))


def _walk_calls(root: Path, tf_by_dir: dict[Path, list[Path]], reached: set[Path],
                cache: dict[Path, list[ModuleCall]], calls: list[tuple[ModuleCall, Path]]) -> None:
    installed = _installed(root)
    stack = [(root, "")]
    while stack:
        directory, key = stack.pop()
        reached.add(directory)
        if directory not in cache:
            cache[directory] = _calls_in(tf_by_dir.get(directory) or _tf_files(directory))
        for call in cache[directory]:
            child_key = f"{key}.{call.name}" if key else call.name
            target = _target(call, child_key, root, installed)
            calls.append((call, target))
            if not _tf_files(target):
                raise InputError(f"{call.file}:{call.line}: module \"{call.name}\" calls {call.source}, which holds "
                                 "no .tf file", hint="fix the source, or scan the plan JSON (`terraform show -json plan.out`)")
            if len(child_key.split(".")) > 32:  # a module that calls itself
                raise InputError(f"{call.file}:{call.line}: module \"{call.name}\" calls itself ({call.source})")
            stack.append((target, child_key))


def _tf_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.tf") if p.is_file())


def resolve(path: Path, files: list[Path]) -> ModuleTree:
    """The root modules under path and every module directory they reach; files elsewhere are left out."""
    tf_by_dir: dict[Path, list[Path]] = {}
    cache: dict[Path, list[ModuleCall]] = {}
    for f in files:
        tf_by_dir.setdefault(f.parent, []).append(f)
    if path in tf_by_dir:
        roots = [path]
    else:
        top = [d for d in sorted(tf_by_dir) if not any(a in tf_by_dir for a in d.parents)]
        called: set[Path] = set()
        for d in top:  # a top-most directory another one calls is a module, not a root
            reach: set[Path] = set()
            _walk_calls(d, tf_by_dir, reach, cache, [])
            called |= reach - {d}
        roots = [d for d in top if d not in called]
    per_root: list[frozenset[Path]] = []
    calls: list[tuple[ModuleCall, Path]] = []
    for root in roots:
        reached: set[Path] = set()
        _walk_calls(root, tf_by_dir, reached, cache, calls)
        per_root.append(frozenset(reached))
    every = frozenset().union(*per_root)
    left_out = tuple(f for f in files if f.parent not in every)
    return ModuleTree(roots=tuple(roots), module_dirs=every, left_out=left_out,
                      installed=tuple(dict.fromkeys(c for c in calls if not c[0].source.startswith(LOCAL_PREFIXES))),
                      calls=tuple(dict.fromkeys(calls)), reach=tuple(per_root))
