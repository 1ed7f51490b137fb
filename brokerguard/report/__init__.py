"""Report formats: they render control results and decide nothing.

`cli` and `json` render the scan itself with the view's provenance; the other formats render the
shared view (brokerguard.report.view), built once per run so that every report of a run carries the
same provenance.
"""

from __future__ import annotations

import argparse
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from brokerguard.gate import Gate
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


@dataclass(frozen=True)
class Options:
    """How to lay reports out; none of it changes what was judged."""

    quiet: bool = False  # terminal report: failing controls only
    repo_root: Path | None = None  # SARIF URIs relative to this (default: git top level of the first path)
    help_base_url: str | None = None  # SARIF helpUri base (default: brokerguard's checks page)
    config_file: str | None = None  # the config file the run read, for the provenance
    # The terminal report speaks --lang when it is asked for (command line or config file), else English:
    # CI logs are read by DevOps and grepped by scripts.
    terminal_lang: str | None = None


def render(formats: list[str], scan: ScanResult, lang: str, gate: Gate, colour: bool = False,
           options: Options | None = None) -> dict[str, str]:
    """Each format's text, in the order asked."""
    from brokerguard.report import cli_table, json_report, view

    options = options or Options()
    shared = view.build(scan, gate, options)
    out = {}
    for fmt in formats:
        if fmt == "cli":
            out[fmt] = cli_table.render(scan, shared, options.terminal_lang or "en", colour=colour, quiet=options.quiet)
        elif fmt == "json":
            out[fmt] = json_report.render(scan, shared)
        else:
            module = importlib.import_module(f"brokerguard.report.{fmt}")
            out[fmt] = module.render(shared, lang) if fmt in HUMAN else module.render(shared)
    return out
