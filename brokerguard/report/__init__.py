"""Report formats: they render control results and decide nothing.

`cli` and `json` render the scan itself with the view's provenance; the other formats render the
shared view (brokerguard.report.view), built once per run so that every report of a run carries the
same provenance.
"""

from __future__ import annotations

import argparse
import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from brokerguard.scan import ScanResult

# format -> file extension, for --output-dir DIR (DIR/report.<ext>); one module per format
EXTENSIONS = {"cli": "txt", "json": "json", "sarif": "sarif", "junitxml": "xml", "markdown": "md", "html": "html"}
# formats for people, written in --lang (the others are for machines, in English)
HUMAN = ("markdown", "html")


def preload() -> None:
    """Import every format's module now (they are otherwise imported when a report is rendered)."""
    for module in ("cli_table", "json_report", "view", "error", *(f for f in EXTENSIONS if f not in ("cli", "json"))):
        importlib.import_module(f"brokerguard.report.{module}")


def format_list(text: str) -> list[str]:
    """`--format sarif,html`: known formats, each once, in the order given."""
    formats = list(dict.fromkeys(f.strip() for f in text.split(",") if f.strip()))
    unknown = [f for f in formats if f not in EXTENSIONS]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(f"unknown format {(unknown or [text])[0]!r} (choose from {', '.join(EXTENSIONS)})")
    return formats


def render(formats: list[str], scan: ScanResult, lang: str, colour: bool = False) -> dict[str, str]:
    """Each format's text, in the order asked."""
    from brokerguard.report import cli_table, json_report, view

    shared = view.build(scan)
    out = {}
    for fmt in formats:
        if fmt == "cli":
            out[fmt] = cli_table.render(scan, shared.provenance, colour=colour)
        elif fmt == "json":
            out[fmt] = json_report.render(scan, shared)
        else:
            module = importlib.import_module(f"brokerguard.report.{fmt}")
            out[fmt] = module.render(shared, lang) if fmt in HUMAN else module.render(shared)
    return out
