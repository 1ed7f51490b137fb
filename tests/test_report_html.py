"""The HTML report: one self-contained page with the matrix, waivers, counts and the network picture.

The page is opened in a real headless Chromium (Debian package `chromium`, installed by `make test`
when missing) and screenshotted; the test is skipped, saying why, only where Chromium is not there.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, REPO

PROFILES = REPO / "iac_examples" / "profiles"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def html_of(cli, tmp_path: Path, path: Path, *args: object) -> tuple[int, str]:
    out = tmp_path / "report.html"
    run = cli("scan", path, "--as-of", "2024-06-30", "--format", "html", "--output", out, *args)
    return run.code, out.read_text(encoding="utf-8")


class Resources(HTMLParser):
    """Every attribute or CSS that could make a browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.fetches: list[str] = []
        self.tags: set[str] = set()
        self.css = ""
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self._in_style = tag == "style"
        for name, value in attrs:
            value = value or ""
            if name in ("src", "srcset", "data", "poster", "action", "formaction") or (
                    name in ("href", "xlink:href") and not value.startswith("#")):
                self.fetches.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.css += value
        if tag == "link":
            self.fetches.append(f"<link {dict(attrs)!r}>")

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.css += data


def external_resources(page: str) -> list[str]:
    parser = Resources()
    parser.feed(page)
    found = list(parser.fetches)
    found += [f"<{t}>" for t in parser.tags & {"script", "iframe", "object", "embed", "img", "image", "use"}]
    found += re.findall(r"url\([^)]*\)|@import[^;]*", parser.css)
    found += re.findall(r"(?:src|href)\s*=\s*[\"']?https?://[^\"' >]+", page)
    return found


def test_detector_finds_what_would_load() -> None:
    """The check below is not vacuous: each way of loading something is caught."""
    for bad in ('<script src="a.js"></script>', '<link rel="stylesheet" href="https://x.test/a.css">',
                '<img src="https://x.test/a.png">', '<div style="background:url(https://x.test/b.png)"></div>',
                "<style>@import 'https://x.test/c.css';</style>", '<svg><image href="https://x.test/d.png"/></svg>'):
        assert external_resources(bad), bad


def test_page_is_self_contained_with_every_control_and_the_network(cli, tmp_path: Path) -> None:
    code, page = html_of(cli, tmp_path, EXAMPLES / "tier1-compliant", "--profile", PROFILES / "tier1.yaml")
    assert code == 0
    assert external_resources(page) == []
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"zh-TW\">")
    assert "Example Securities Co., Ltd. (範例證券)" in page and "第 1 級" in page and "2024-06-30" in page
    from brokerguard.catalog import load_catalog

    for control in load_catalog().controls:
        row = re.search(rf'<tr class="[a-z]*" id="control-{control.id}">(.*?)</tr>', page, re.S)
        assert row, control.id
        # A zh-TW page names the control in Chinese only (no English in it); the id is the identifier.
        name_cell = row.group(1).split("<details>", 1)[0]
        assert control.name["zh-TW"] in name_cell and control.name["en"] not in name_cell
        assert f"<code>{control.id}</code>" in row.group(1) and 'class="badge"' in row.group(1)
    network = page.split('<svg role="img" aria-label="網路架構圖"', 1)[1].split("</svg>", 1)[0]
    assert "VPC aws_vpc.trading 10.10.0.0/16" in network and "IGW igw" in network
    assert "公有子網路: public_a 10.10.0.0/24" in network and "私有子網路: private_a 10.10.10.0/24" in network
    bands = network.split("私有子網路")
    assert "aws_lb.web" in bands[0] and ">WAF<" in bands[0]  # the entry point with its WAF, in the public band
    assert "aws_db_instance.ledger" in bands[1] and "aws_instance.order" in bands[1]  # core, private
    assert network.count('stroke="#c81e1e" stroke-width="3.5"') >= 3  # two core nodes and the legend
    assert "networkfirewall_firewall" in network and "網路防火牆: firewall 10.10.2.0/28" in network
    counts = page.split('class="counts">', 1)[1].split("</svg>", 1)[0]
    assert ">通過</text>" in counts and ">9</text>" in counts  # 9 controls pass, 9 are attested


def test_public_core_database_and_missing_waf_are_visible(cli, tmp_path: Path) -> None:
    _, page = html_of(cli, tmp_path, EXAMPLES / "nonc-public-core-db", "--tier", "1", "--lang", "en")
    assert '<html lang="en">' in page
    network = page.split('aria-label="Network architecture"', 1)[1].split("</svg>", 1)[0]
    public, private = network.split("private subnet", 1)
    assert "aws_db_instance.settlement" in public and "core · db_instance" in public
    row = re.search(r'<tr class="failing" id="control-firewall">(.*?)</tr>', page, re.S).group(1)
    assert "<code>aws_db_instance.settlement</code> <code>iac_examples/terraform/nonc-public-core-db/main.tf:67</code>" in row
    assert "How to fix: Set publicly_accessible = false" in row
    _, page = html_of(cli, tmp_path, EXAMPLES / "nonc-alb-without-waf", "--tier", "1", "--lang", "en")
    network = page.split('aria-label="Network architecture"', 1)[1].split("</svg>", 1)[0]
    web = network.split("<title>aws_lb.web</title>", 1)[1].split("</g>", 1)[0]
    assert ">no WAF<" in web
    internal = network.split("<title>aws_lb.internal</title>", 1)[1].split("</g>", 1)[0]
    assert "WAF" not in internal  # an internal load balancer is no entry point


def test_waiver_register_with_approver_expiry_ticket_and_expired_marker(cli, tmp_path: Path) -> None:
    data = yaml.safe_load((PROFILES / "tier1.yaml").read_text())
    data["waivers"] = [
        {"target": "CKV2_TWB_001", "resources": "aws_lb.web", "reason": "WAF rollout in Q3", "approver": "CISO Lin",
         "expiry": "2024-06-01", "ticket": "SEC-42", "compensating_control": "CDN rate limiting"},
        {"target": "penetration-test", "reason": "Test booked for July", "approver": "CISO Lin", "expiry": "2024-12-31"},
    ]
    profile = tmp_path / "profile.yaml"
    profile.write_text(yaml.safe_dump(data, allow_unicode=True))
    _, page = html_of(cli, tmp_path, EXAMPLES / "nonc-alb-without-waf", "--profile", profile, "--lang", "en")
    register = page.split('<table class="waivers">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", register.split("<tbody>", 1)[1], re.S)
    assert len(rows) == 2
    assert ("<td>waf</td><td>CKV2_TWB_001 · aws_lb.web</td><td>CISO Lin</td><td>WAF rollout in Q3</td>"
            "<td>CDN rate limiting</td><td>SEC-42</td><td>2024-06-01 <span class=\"expired\">EXPIRED</span></td>") in rows[1]
    assert "<td>penetration-test</td>" in rows[0] and "(live)" in rows[0]  # in catalog order
    waf = re.search(r'<tr class="failing" id="control-waf">(.*?)</tr>', page, re.S).group(1)
    assert "expired on 2024-06-01" in waf  # the expired waiver resurfaces as a failure, and says so


def test_same_input_same_bytes(cli, tmp_path: Path) -> None:
    first = html_of(cli, tmp_path, EXAMPLES / "tier4-compliant", "--profile", PROFILES / "tier4.yaml")[1]
    assert html_of(cli, tmp_path, EXAMPLES / "tier4-compliant", "--profile", PROFILES / "tier4.yaml")[1] == first


@pytest.mark.skipif(CHROMIUM is None, reason="Debian package chromium is not installed and `make test` could not "
                                             "install it (apt-get install chromium failed or no root)")
def test_chromium_renders_the_page(cli, tmp_path: Path) -> None:
    _, page = html_of(cli, tmp_path, EXAMPLES / "tier1-compliant", "--profile", PROFILES / "tier1.yaml")
    png = tmp_path / "report.png"
    # Every host resolves to nothing: a page that tried to fetch anything would show broken parts,
    # and the parse above already proves it asks for nothing.
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={tmp_path / 'profile'}",
         f"--screenshot={png}", "--window-size=1400,2000", (tmp_path / "report.html").as_uri()],
        capture_output=True, text=True, timeout=180)
    assert png.is_file(), proc.stderr
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1400, 2000)
    assert len(data) > 50_000  # a blank or error page compresses to a few kilobytes


def _row(page: str, control: str) -> str:
    return re.search(rf'<tr class="[a-z]*" id="control-{control}">(.*?)</tr>', page, re.S).group(1)


def test_included_controls_findings_are_linked_not_repeated(cli, tmp_path: Path) -> None:
    _, page = html_of(cli, tmp_path, EXAMPLES / "nonc-threat-detection", "--profile", PROFILES / "tier1.yaml",
                      "--lang", "en")
    detection, apt = _row(page, "threat-detection"), _row(page, "apt-defense")
    assert "<b>TWB_STACK_026</b>" in detection and "aws_vpc.trading" in detection
    assert "TWB_STACK_026" not in apt  # shown once, under the control that owns the check
    assert 'href="#control-threat-detection"' in apt and 'href="#control-ids-ips"' in apt
    assert "Also decided by an included control (1 failing finding(s), shown there)" in apt


def test_per_resource_view_lists_each_failing_resource_once_with_its_checks(cli, tmp_path: Path) -> None:
    _, page = html_of(cli, tmp_path, EXAMPLES / "nonc-public-core-db", "--tier", "1", "--lang", "en")
    table = page.split('<table class="resources">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td><code>(.*?)</code></td>(.*?)</tr>", table, re.S)
    resources = [r for r, _ in rows]
    assert len(resources) == len(set(resources))
    db = dict(rows)["aws_db_instance.settlement"]
    for check in ("CKV_TWB_003", "TWB_STACK_001", "CKV_TWB_033", "TWB_STACK_031"):
        assert f"<b>{check}</b>" in db
    assert db.count("<b>CKV_TWB_003</b>") == 1
    assert 'href="#control-firewall"' in db and 'href="#control-bcp-drill"' in db
    assert "How to fix: Set publicly_accessible = false" in db


def test_print_stylesheet_shows_every_requirement_in_full(cli, tmp_path: Path) -> None:
    from brokerguard.catalog import load_catalog

    _, page = html_of(cli, tmp_path, EXAMPLES / "tier1-compliant", "--profile", PROFILES / "tier1.yaml")
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    printed = style.split("@media print{", 1)[1]
    assert ".print-only{display:block}" in printed and "details{display:none}" in printed
    assert ".print-only{display:none}" in style.split("@media print{", 1)[0]  # on screen: collapsed <details>
    blocks = re.findall(r'<div class="print-only other">(.*?)</div>', page, re.S)
    import html as html_lib

    for control in load_catalog().controls:
        assert any(html_lib.escape(control.requirement["zh-TW"]) in b for b in blocks), control.id


@pytest.mark.skipif(CHROMIUM is None, reason="Debian package chromium is not installed and `make test` could not "
                                             "install it (apt-get install chromium failed or no root)")
def test_chromium_prints_the_page_to_pdf(cli, tmp_path: Path) -> None:
    html_of(cli, tmp_path, EXAMPLES / "tier1-compliant", "--profile", PROFILES / "tier1.yaml")
    pdf = tmp_path / "report.pdf"
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={tmp_path / 'profile'}",
         f"--print-to-pdf={pdf}", "--no-pdf-header-footer", (tmp_path / "report.html").as_uri()],
        capture_output=True, text=True, timeout=180)
    assert pdf.is_file(), proc.stderr
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-" and data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 3
