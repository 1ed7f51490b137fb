"""The report of a run that could not be judged (exit 2): what went wrong, never a pass.

A CI step that uploads the SARIF or reads the JSON finds a file saying why, instead of a missing
file that hides the real error, or last run's report that reads as this one's.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html import escape

from brokerguard import __version__
from brokerguard.report.i18n import text
from brokerguard.report.sarif import SCHEMA_URI


def _json(message: str) -> str:
    doc = {"tool": {"name": "brokerguard", "version": __version__}, "error": message,
           "controls": [], "summary": {"passed": False, "exit_code": 2}}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _sarif(message: str) -> str:
    doc = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "brokerguard", "version": __version__, "semanticVersion": __version__, "rules": []}},
        "invocations": [{"executionSuccessful": False, "exitCode": 2, "toolExecutionNotifications": [
            {"level": "error", "descriptor": {"id": "brokerguard.input"}, "message": {"text": message}}]}],
        "results": [],
    }]}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _junitxml(message: str) -> str:
    suites = ET.Element("testsuites", name="brokerguard", tests="1", failures="0", errors="1")
    suite = ET.SubElement(suites, "testsuite", name="brokerguard", tests="1", failures="0", errors="1")
    case = ET.SubElement(suite, "testcase", classname="brokerguard", name="scan")
    ET.SubElement(case, "error", message=message, type="input").text = message
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def render(fmt: str, message: str, lang: str) -> str:
    """The error report in one format; the human ones in ``lang``."""
    if fmt == "json":
        return _json(message)
    if fmt == "sarif":
        return _sarif(message)
    if fmt == "junitxml":
        return _junitxml(message)
    title = text(lang if fmt in ("markdown", "html") else "en", "not_judged")
    if fmt == "markdown":
        return f"## brokerguard: ❌ {title}\n\n`{message}`\n"
    if fmt == "html":
        return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n<title>brokerguard</title>\n'
                f"</head>\n<body>\n<h1>{escape(title)}</h1>\n<p><code>{escape(message)}</code></p>\n</body>\n</html>\n")
    return f"NOT JUDGED: {title}\n{message}\n"
