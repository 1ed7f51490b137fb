"""Variables given on the command line, as `terraform plan -var-file FILE` and `-var NAME=VALUE` give them.

Terraform reads a root module's variables from defaults, TF_VAR_* environment variables,
terraform.tfvars, terraform.tfvars.json, *.auto.tfvars(.json) in lexical order, then -var-file and
-var; the later wins. Checkov reads the first four itself; these are handed to it after them. A file
that cannot be read is refused here: Checkov would drop it without a word, and its values with it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from brokerguard.errors import InputError

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class TerraformVariables:
    files: tuple[Path, ...] = ()  # --var-file, in command-line order
    values: tuple[tuple[str, str], ...] = ()  # --var NAME=VALUE, in command-line order

    def as_tfvars(self) -> str:
        """The --var values as a variable file: a value that is HCL (a number, a list) as written, any
        other as a string, as Terraform reads `-var` for a string variable."""
        import hcl2

        lines = []
        for name, value in self.values:
            try:
                parsed = hcl2.loads(f"v = {value}\n").get("v")
            except Exception:  # noqa: BLE001 (not an HCL expression: a plain string)
                parsed = None
            literal = parsed is not None and "${" not in json.dumps(parsed)
            lines.append(f"{name} = {value if literal else json.dumps(value)}")
        return "\n".join(lines) + "\n"


def _check_file(path: Path) -> None:
    import hcl2

    if not path.is_file():
        raise InputError(f"{path}: --var-file: no such file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: --var-file: cannot read ({type(exc).__name__})") from None
    try:
        json.loads(text) if path.suffix == ".json" else hcl2.loads(text)
    except Exception as exc:  # noqa: BLE001 (json and lark raise several types, with a line when known)
        line = getattr(exc, "lineno", None) or getattr(exc, "line", None)
        where = f"{path}:{line}" if line else str(path)
        raise InputError(f"{where}: --var-file: not a Terraform variable file") from None


def terraform_variables(files: list[Path], assignments: list[str]) -> TerraformVariables:
    for path in files:
        _check_file(path)
    values = []
    for text in assignments:
        name, sep, value = text.partition("=")
        if not sep or not _NAME.fullmatch(name):
            raise InputError(f"--var {text}: expected NAME=VALUE (a Terraform variable name)")
        values.append((name, value))
    return TerraformVariables(files=tuple(files), values=tuple(values))
