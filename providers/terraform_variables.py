"""Variables given on the command line, as `terraform plan -var-file FILE` and `-var NAME=VALUE` give them.

Terraform reads a root module's variables from defaults, TF_VAR_* environment variables,
terraform.tfvars, terraform.tfvars.json, *.auto.tfvars(.json) in lexical order, then -var-file and
-var; the later wins, and none of them reaches a called module. Checkov would apply environment
variables and -var-file to every directory it loads, modules included: brokerguard merges them
here, in Terraform's order, into one file for each root module (root_values). A file that cannot be
read is refused: Checkov would drop it without a word, and its values with it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brokerguard.errors import InputError

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
ENV_PREFIX = "TF_VAR_"
AUTO_FILE = re.compile(r".+\.auto\.tfvars(\.json)?")


@dataclass(frozen=True)
class TerraformVariables:
    files: tuple[Path, ...] = ()  # --var-file, in command-line order
    values: tuple[tuple[str, str], ...] = ()  # --var NAME=VALUE, in command-line order

    def root_values(self, root: Path, environ: Mapping[str, str]) -> dict[str, Any]:
        """Every variable value a root module gets from outside its defaults, in Terraform's order."""
        values: dict[str, Any] = {k[len(ENV_PREFIX):]: _literal(v) for k, v in sorted(environ.items())
                                  if k.startswith(ENV_PREFIX)}
        automatic = sorted(p for p in root.iterdir() if p.is_file() and AUTO_FILE.fullmatch(p.name))
        for path in [root / "terraform.tfvars", root / "terraform.tfvars.json", *automatic, *self.files]:
            if path.is_file():
                values.update(_read(path))
        values.update({name: _literal(value) for name, value in self.values})
        return values


def _literal(value: str) -> Any:
    """A command-line or environment value: HCL when it is a literal (a number, a list), else the
    string, as Terraform reads `-var` and TF_VAR_* for a string variable."""
    import hcl2

    try:
        parsed = hcl2.loads(f"v = {value}\n")["v"][0]
    except Exception:  # noqa: BLE001 (not an HCL literal: a plain string)
        return value
    return value if "${" in json.dumps(parsed) else parsed


def _read(path: Path, what: str = "variable file") -> dict[str, Any]:
    import hcl2

    if not path.is_file():
        raise InputError(f"{path}: {what}: no such file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: {what}: cannot read ({type(exc).__name__})") from None
    try:
        if path.name.endswith(".json"):
            doc = json.loads(text)
            if not isinstance(doc, dict):
                raise ValueError("not an object")
            return doc
        return {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in hcl2.loads(text).items()}
    except Exception as exc:  # noqa: BLE001 (json and lark raise several types, with a line when known)
        line = getattr(exc, "lineno", None) or getattr(exc, "line", None)
        where = f"{path}:{line}" if line else str(path)
        raise InputError(f"{where}: {what}: not a Terraform variable file") from None


def terraform_variables(files: list[Path], assignments: list[str]) -> TerraformVariables:
    for path in files:
        _read(path, "--var-file")
    values = []
    for text in assignments:
        name, sep, value = text.partition("=")
        if not sep or not _NAME.fullmatch(name):
            raise InputError(f"--var {text}: expected NAME=VALUE (a Terraform variable name)")
        values.append((name, value))
    return TerraformVariables(files=tuple(files), values=tuple(values))
