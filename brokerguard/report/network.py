"""Draws the network picture (brokerguard.picture, settled by the scan) as inline SVG: no script, no
external font or image."""

from __future__ import annotations

from html import escape

from brokerguard.picture import Network, Node, Path, Subnet
from brokerguard.policies.meta import text_of
from brokerguard.report.i18n import text

WIDTH = 1200
NODE_W, NODE_H, GAP = 210, 58, 14
PER_ROW = 5
# Readable at 10,000 resources: a band draws at most two rows (the rest counted), the picture at most
# MAX_VPCS VPCs (those with core systems in public subnets first, the rest counted), MAX_PATHS path lines each.
MAX_PER_BAND = 2 * PER_ROW
MAX_VPCS = 12
MAX_PATHS = 6
GUARD_COLOUR = {"firewall": "#047857", "appliance": "#047857", "none": "#c81e1e", "unknown": "#b45309"}
# Drawn first in a band: what a reviewer must see (failing core systems, entry points without a WAF).
_RANK = {"core": 0, "entry": 1, "firewall": 2, "other": 3}
FILL = {"core": "#fde2e2", "entry": "#dbe8ff", "firewall": "#ffe3c2", "other": "#ffffff"}
STROKE = {"core": "#c81e1e", "entry": "#1a56db", "firewall": "#c2570c", "other": "#6b7280"}


def _short(address: str, limit: int = 30) -> str:
    return address if len(address) <= limit else "…" + address[-(limit - 1):]


class _Canvas:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def rect(self, x: float, y: float, w: float, h: float, fill: str, stroke: str, width: float = 1,
             dash: str = "", rx: int = 8) -> None:
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{rx}" fill="{fill}" '
                          f'stroke="{stroke}" stroke-width="{width}"{extra}/>')

    def text(self, x: float, y: float, value: str, size: int = 13, weight: str = "normal", fill: str = "#111827",
             anchor: str = "start") -> None:
        self.parts.append(f'<text x="{x}" y="{y}" font-size="{size}" font-weight="{weight}" fill="{fill}" '
                          f'text-anchor="{anchor}">{escape(value)}</text>')

    def line(self, x1: float, y1: float, x2: float, y2: float, colour: str = "#374151", dash: str = "") -> None:
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{colour}" stroke-width="2" '
                          f'marker-end="url(#arrow)"{extra}/>')


def _draw_node(c: _Canvas, n: Node, x: float, y: float, lang: str, failing: frozenset[str]) -> None:
    width = 3.5 if n.kind == "core" else 1.5
    c.parts.append(f"<g><title>{escape(n.address)}</title>")
    c.rect(x, y, NODE_W, NODE_H, FILL[n.kind], STROKE[n.kind], width)
    label = {"core": text(lang, "core"), "entry": text(lang, "entry"), "firewall": "FW", "other": ""}[n.kind]
    c.text(x + 8, y + 20, f"{label + ' · ' if label else ''}{n.type.removeprefix('aws_')}", 11, "bold", STROKE[n.kind])
    c.text(x + 8, y + 40, _short(n.address), 12)
    if n.waf is not None:  # a shield on the entry point: where the WAF sits, or that none does
        colour, word = ("#047857", "WAF") if n.waf else ("#c81e1e", "no WAF")
        sx, sy = x + NODE_W - 46, y + 6
        c.parts.append(f'<path d="M{sx} {sy} h40 v14 q0 14 -20 20 q-20 -6 -20 -20 z" fill="{colour}"/>')
        c.text(sx + 20, sy + 19, word, 9 if n.waf else 8, "bold", "#ffffff", "middle")
    if n.address in failing:  # a check failed on this resource: the matrix says which and how to fix it
        _fail_mark(c, x + NODE_W - 14, y + NODE_H - 14)
    c.parts.append("</g>")


def _fail_mark(c: _Canvas, cx: float, cy: float) -> None:
    c.parts.append(f'<circle cx="{cx}" cy="{cy}" r="10" fill="#c81e1e"/>')
    c.text(cx, cy + 5, "!", 14, "bold", "#ffffff", "middle")


def _band(c: _Canvas, title: str, nodes: tuple[Node, ...], x: float, y: float, w: float, fill: str,
          lang: str, failing: frozenset[str]) -> tuple[float, list[tuple[Node, float, float]]]:
    """A horizontal band of nodes; returns its height and where each node was drawn. Past MAX_PER_BAND the
    rest are counted by kind in one line."""
    ordered = sorted(nodes, key=lambda n: (n.address not in failing, _RANK[n.kind], n.waf is not False, n.address))
    shown, hidden = ordered[:MAX_PER_BAND], ordered[MAX_PER_BAND:]
    rows = max(1, -(-len(shown) // PER_ROW))
    h = 34 + rows * (NODE_H + GAP) + (22 if hidden else 0)
    c.rect(x, y, w, h, fill, "#9ca3af", 1, "6 4")
    c.text(x + 10, y + 20, title, 12, "bold", "#374151")
    where = []
    for i, n in enumerate(shown):
        nx, ny = x + 12 + (i % PER_ROW) * (NODE_W + GAP), y + 30 + (i // PER_ROW) * (NODE_H + GAP)
        _draw_node(c, n, nx, ny, lang, failing)
        where.append((n, nx, ny))
    if hidden:
        kinds = [n.kind for n in hidden]
        c.text(x + 12, y + h - 10, text(lang, "more_nodes", count=len(hidden), core=kinds.count("core"),
                                        entry=kinds.count("entry"), other=len(kinds) - kinds.count("core")
                                        - kinds.count("entry")), 12, "bold", "#374151")
    return h, where


def _subnet_list(subnets: list[Subnet]) -> str:
    return ", ".join(f"{s.address.split('.')[-1]} {s.cidr}{' ' + s.zone if s.zone else ''}" for s in subnets)


def svg(network: Network, lang: str, failing: frozenset[str] = frozenset()) -> str:
    """The picture; `failing` names the resources a check failed on, marked with a red "!"."""
    c = _Canvas()
    c.parts.append('<ellipse cx="600" cy="42" rx="120" ry="28" fill="#eef2ff" stroke="#4338ca" stroke-width="2"/>')
    c.text(600, 48, text(lang, "internet"), 16, "bold", "#3730a3", "middle")
    y = 90.0
    inner_w = WIDTH - 40
    vpcs = sorted(network.vpcs, key=lambda v: (not any(n.kind == "core" for n in v.public),
                                               not any(n.kind == "core" for n in v.private), v.address))
    for vpc in vpcs[:MAX_VPCS]:
        top = y
        inner = _Canvas()  # the VPC's content, drawn over its frame once its height is known
        cy = top + 44
        cy = _paths(inner, vpc.core_paths, cy, lang) + 12
        arrows: list[tuple[float, float]] = []
        fw_subnets = [s for s in vpc.subnets if any(s.address in n.subnets for n in vpc.firewalls)]
        if vpc.firewalls:
            h, where = _band(inner, f"{text(lang, 'legend_fw')}: {_subnet_list(fw_subnets)}", vpc.firewalls,
                             40, cy, inner_w - 40, "#fff7ed", lang, failing)
            arrows += [(x + NODE_W / 2, ny) for _, x, ny in where]
            cy += h + 12
        public = [s for s in vpc.subnets if s.public]
        h, where = _band(inner, f"{text(lang, 'public_subnet')}: {_subnet_list(public) or text(lang, 'none')}",
                         vpc.public, 40, cy, inner_w - 40, "#fffbeb", lang, failing)
        arrows += [(x + NODE_W / 2, ny) for n, x, ny in where if n.kind == "entry"]
        exposed = [(x + NODE_W / 2, ny) for n, x, ny in where if n.kind == "core"]  # core in a public subnet
        cy += h + 12
        private = [s for s in vpc.subnets if not s.public and s not in fw_subnets]
        h, _ = _band(inner, f"{text(lang, 'private_subnet')}: {_subnet_list(private) or text(lang, 'none')}",
                     vpc.private, 40, cy, inner_w - 40, "#ecfdf5", lang, failing)
        cy += h + 14
        c.rect(20, top, inner_w, cy - top, "#f9fafb", "#111827", 2, rx=12)
        c.text(36, top + 24, f"VPC {vpc.address} {vpc.cidr}", 15, "bold")
        if vpc.gateway:
            c.rect(WIDTH / 2 - 80, top - 14, 160, 34, "#e0e7ff", "#4338ca", 2)
            c.text(WIDTH / 2, top + 8, f"IGW {vpc.gateway.split('.')[-1]}", 12, "bold", "#3730a3", "middle")
            c.line(WIDTH / 2, 70, WIDTH / 2, top - 16)
            for ax, ay in arrows:
                c.line(WIDTH / 2, top + 20, ax, ay - 2, "#4338ca", "5 4")
        c.parts += inner.parts
        if vpc.gateway:  # drawn over the bands: an exposed core system must not hide behind them
            for ax, ay in exposed:
                c.line(WIDTH / 2, top + 20, ax, ay - 2, "#c81e1e")
        y = cy + 30
    if len(vpcs) > MAX_VPCS:
        rest = vpcs[MAX_VPCS:]
        c.text(20, y + 14, text(lang, "more_vpcs", count=len(rest), core=sum(
            n.kind == "core" for v in rest for n in v.public + v.private),
            public=sum(n.kind == "core" for v in rest for n in v.public)), 13, "bold", "#374151")
        y += 36
    if network.outside:
        h, where = _band(c, text(lang, "outside_vpc"), network.outside, 20, y, inner_w, "#f3f4f6", lang, failing)
        for n, x, ny in where:
            if n.kind == "entry":
                c.line(600, 70, x + NODE_W / 2, ny - 2, "#4338ca", "5 4")
        y += h + 20
    if not network.vpcs and not network.outside:
        c.text(600, y + 20, text(lang, "no_network"), 14, "normal", "#6b7280", "middle")
        y += 50
    y = _legend(c, y, lang)
    head = (f'<svg role="img" aria-label="{escape(text(lang, "network"))}" '
            f'width="{WIDTH}" height="{int(y)}" viewBox="0 0 {WIDTH} {int(y)}" class="network">'
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
            'orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="#374151"/></marker></defs>')
    return head + "".join(c.parts) + "</svg>"


def _paths(c: _Canvas, paths: tuple[Path, ...], y: float, lang: str) -> float:
    """One line per internet route of a core subnet: what stands on it (firewall, or nothing)."""
    c.text(40, y + 16, f"{text(lang, 'core_paths')}:" + ("" if paths else f" {text(lang, 'no_core_path')}"), 12, "bold")
    y += 20
    for p in paths[:MAX_PATHS]:
        word = {"firewall": "FW", "appliance": "FW", "none": "no FW", "unknown": "?"}[p.guard]
        c.rect(48, y + 4, 44, 16, GUARD_COLOUR[p.guard], GUARD_COLOUR[p.guard], 1, rx=4)
        c.text(70, y + 16, word, 10, "bold", "#ffffff", "middle")
        c.text(100, y + 16, _short(f"{p.subnet} -> {text_of(p.via, lang)}", 140), 11)
        y += 20
    if len(paths) > MAX_PATHS:
        c.text(100, y + 16, f"+{len(paths) - MAX_PATHS}", 11)
        y += 20
    return y


def _legend(c: _Canvas, y: float, lang: str) -> float:
    x = 20.0
    for kind, key in (("core", "legend_core"), ("entry", "legend_entry"), ("firewall", "legend_fw")):
        c.rect(x, y, 26, 18, FILL[kind], STROKE[kind], 3.5 if kind == "core" else 1.5, rx=4)
        c.text(x + 34, y + 14, text(lang, key), 12)
        x += 190
    c.parts.append(f'<path d="M{x} {y} h26 v9 q0 9 -13 13 q-13 -4 -13 -13 z" fill="#047857"/>')
    c.text(x + 34, y + 14, text(lang, "legend_waf"), 12)
    _fail_mark(c, x + 190 + 13, y + 9)
    c.text(x + 190 + 34, y + 14, text(lang, "legend_fail"), 12)
    return y + 36
