"""Inline suppressions (``#checkov:skip=CKV_ID:reason``): found and reported, never applied.

A regulatory control is waived only through the profile's waiver register (approver, expiry): a
one-line comment in the code under review, written by the people the gate judges, cannot do it.
Checkov runs with its skip-comment collection off; the comments are read here with Checkov's own
pattern and line test, so every comment Checkov would have honoured is listed as not applied.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# checkov/common/comment/enum.py COMMENT_REGEX and terraform/context_parsers/base_parser.py
# is_optional_comment_line (Checkov 3.2): the three prefixes Checkov honours, on any line of a block.
PREFIXES = ("checkov:skip=", "bridgecrew:skip=", "cortex:skip=")
PATTERN = re.compile(r"(checkov:skip=|bridgecrew:skip=|cortex:skip=) *([A-Za-z_\d-]+(?:,[A-Za-z_\d-]+)*)?(:[^\n]*)?")
NO_REASON = "No comment provided"  # Checkov's own words for a skip without a reason


@dataclass(frozen=True)
class Suppression:
    file: str
    line: int
    check: str  # the id as written (a Checkov or Bridgecrew id, or empty when none was given)
    reason: str
    syntax: str  # the prefix used, e.g. "checkov:skip="


def in_text(text: str, file: str) -> list[Suppression]:
    """Every suppression Checkov would read in one file's text, one per check id named."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not any(p in line for p in PREFIXES):
            continue
        match = PATTERN.search(line)
        if not match:
            continue
        reason = match.group(3)[1:].strip() if match.group(3) else NO_REASON
        for check in (match.group(2) or "").split(","):
            found.append(Suppression(file, number, check.strip(), reason or NO_REASON, match.group(1)))
    return found


def in_files(paths: Iterable[tuple[str, str]]) -> list[Suppression]:
    """(path to read, path to show) pairs -> their suppressions, each file once, in file/line order."""
    found: list[Suppression] = []
    for path, shown in sorted(set(paths)):
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                found += in_text(fh.read(), shown)
        except OSError:
            continue  # Checkov read the file moments ago; a file gone since has nothing to list
    return sorted(found, key=lambda s: (s.file, s.line, s.check))
