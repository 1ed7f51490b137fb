"""Benchmark brokerguard against plain Checkov on generated Terraform trees; write docs/performance.md.

For each tree size it times, side by side on the same tree:

    brokerguard      brokerguard scan TREE --tier 1 --format cli
    checkov-all      checkov -d TREE --framework terraform --skip-download      (every built-in check)
    checkov-ours     the same with only our checks (--external-checks-dir policies/checkov --check ...)

wall time (median, min and max of --runs runs) and peak memory (the largest resident set of the
process tree, from wait4's rusage), then start-up (`--version`) and a re-scan after one file
changed (brokerguard with its parse cache, `--cache-dir`), and a module tree heavy with dynamic
blocks (--dynamic-rules, generate.py's generate_dynamic). The measured section of
docs/performance.md (between the markers) is replaced; the analysis around it is kept.

    .venv/bin/python benchmarks/run.py --runs 3 [--sizes 100,1000,10000] [--rescan-size 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate, generate_dynamic

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DOC = REPO / "docs" / "performance.md"
START, END = "<!-- measured:start -->", "<!-- measured:end -->"
OFFLINE_ENV = {"CKV_SKIP_PACKAGE_UPDATE_CHECK": "True", "BC_SKIP_MAPPING": "TRUE", "ANSI_COLORS_DISABLED": "True"}
AS_OF = "2024-06-30"  # fixed, so that the same controls are in force in every run

TARGETS = (
    ("brokerguard <= 0.5x plain Checkov at 1,000 resources (wall)", "ratio_1000"),
    ("the same in CPU time (less sensitive to other load)", "ratio_1000_cpu"),
    ("10,000 resources in < 60 s (wall)", "wall_10000"),
    ("the same in CPU time", "cpu_10000"),
    ("10,000 resources in < 2 GiB peak", "rss_10000"),
    ("re-scan after one file changed <= 0.1x plain Checkov (wall)", "rescan_ratio"),
    ("the same in CPU time", "rescan_ratio_cpu"),
    ("`brokerguard --version` < 0.5 s", "startup"),
)


@dataclass
class Timing:
    walls: list[float]
    rss_kib: list[int]
    cpus: list[float]  # user + system seconds: steadier than wall time on a shared machine

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    @property
    def peak_mib(self) -> float:
        return max(self.rss_kib) / 1024


def our_check_ids() -> list[str]:
    from brokerguard.catalog import load_catalog

    return sorted(load_catalog().check_ids)


def commands(tree: Path) -> dict[str, list[str]]:
    checkov = [str(BIN / "checkov"), "-d", str(tree), "--framework", "terraform", "--skip-download"]
    return {
        "brokerguard": [str(BIN / "brokerguard"), "scan", str(tree), "--tier", "1", "--format", "cli",
                        "--as-of", AS_OF],
        "checkov-all": checkov,
        "checkov-ours": checkov + ["--external-checks-dir", str(REPO / "policies" / "checkov"),
                                   "--check", ",".join(our_check_ids())],
    }


def run_once(cmd: list[str], ok_codes: tuple[int, ...] = (0, 1)) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (KiB) of the largest process in the command's tree, and CPU seconds."""
    env = {**os.environ, **OFFLINE_ENV}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    # wait4 gives this child's own rusage (with its reaped descendants), not every child's so far.
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if code not in ok_codes:
        raise SystemExit(f"{' '.join(cmd)}: exit {code}\n{err[-2000:]}")
    return wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def measure(cmd: list[str], runs: int, before: object = None) -> Timing:
    timing = Timing([], [], [])
    for _ in range(runs):
        if callable(before):
            before()
        wall, peak, cpu = run_once(cmd)
        timing.walls.append(wall)
        timing.rss_kib.append(peak)
        timing.cpus.append(cpu)
    return timing


def touch_one_file(tree: Path) -> object:
    """A callable that changes one resource in one file (a different value each call)."""
    target = sorted((tree / "stacks").rglob("*-app.tf"))[0]
    original = target.read_text(encoding="utf-8")
    counter = iter(range(1, 1_000_000))

    def change() -> None:
        n = next(counter)
        target.write_text(original.replace("monitoring             = true",
                                           f"monitoring             = {'false' if n % 2 else 'true'}", 1)
                          + f"\n# edit {n}\n", encoding="utf-8")

    return change


def machine() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal"))
        ram = f"{mem_kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        ram = "unknown"
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=False).stdout.strip() or "unknown"
    except OSError:
        commit = "unknown"
    return {
        "CPUs": str(os.cpu_count()), "CPU model": model, "RAM": ram, "OS": platform.platform(),
        "Python": platform.python_version(), "Checkov": metadata.version("checkov"),
        "brokerguard": f"{metadata.version('brokerguard')} (commit {commit})",
    }


def load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def render(args: argparse.Namespace, info: dict[str, str], load_before: str, load_after: str,
           sizes: dict[int, tuple[int, dict[str, Timing]]], startup: dict[str, Timing],
           rescan: dict[str, Timing] | None, started: dt.datetime) -> str:
    lines = [START, "", f"Measured {started:%Y-%m-%d %H:%M} UTC by `benchmarks/run.py --runs {args.runs} "
             f"--sizes {args.sizes} --large-runs {args.large_runs or args.runs} --large-tools {args.large_tools} "
             f"--rescan-size {args.rescan_size} --seed {args.seed}`.", ""]
    lines += ["| machine | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in info.items()]
    lines += [f"| load average (1/5/15 min) before | {load_before} |", f"| load average after | {load_after} |", ""]
    lines += ["| resources | .tf files | tool | median wall (s) | min-max (s) | CPU (s) | peak RSS (MiB) "
              "| x plain Checkov (wall) | x plain Checkov (CPU) |",
              "|---:|---:|---|---:|---:|---:|---:|---:|---:|"]
    results: dict[str, float] = {}
    for size, (files, timings) in sizes.items():
        base = timings.get("checkov-all")
        for tool, t in timings.items():
            ratios = f"{t.median / base.median:.2f} | {t.cpu / base.cpu:.2f}" if base else "n/a | n/a"
            lines.append(f"| {size:,} | {files:,} | {tool} | {t.median:.2f} | {min(t.walls):.2f}-{max(t.walls):.2f} | "
                         f"{t.cpu:.2f} | {t.peak_mib:.0f} | {ratios} |")
        if size == 1000 and base:
            results["ratio_1000"] = timings["brokerguard"].median / base.median
            results["ratio_1000_cpu"] = timings["brokerguard"].cpu / base.cpu
        if size == 10000:
            results["wall_10000"] = timings["brokerguard"].median
            results["cpu_10000"] = timings["brokerguard"].cpu
            results["rss_10000"] = timings["brokerguard"].peak_mib
    lines += ["", "| start-up | median wall (s) | min-max (s) | CPU (s) | peak RSS (MiB) |", "|---|---:|---:|---:|---:|"]
    for tool, t in startup.items():
        lines.append(f"| `{tool} --version` | {t.median:.3f} | {min(t.walls):.3f}-{max(t.walls):.3f} | {t.cpu:.3f} "
                     f"| {t.peak_mib:.0f} |")
    results["startup"] = startup["brokerguard"].median
    if rescan:
        base = rescan["checkov-all"].median
        lines += ["", f"Re-scan of the {args.rescan_size:,}-resource tree after one file changed (each run edits "
                  "one resource in one file first; brokerguard with `--cache-dir`, filled by a first full scan):", "",
                  "| tool | median wall (s) | min-max (s) | CPU (s) | x plain Checkov (wall) | x plain Checkov (CPU) |",
                  "|---|---:|---:|---:|---:|---:|"]
        for tool, t in rescan.items():
            lines.append(f"| {tool} | {t.median:.2f} | {min(t.walls):.2f}-{max(t.walls):.2f} | {t.cpu:.2f} | "
                         f"{t.median / base:.2f} | {t.cpu / rescan['checkov-all'].cpu:.2f} |")
        results["rescan_ratio"] = rescan["brokerguard"].median / base
        results["rescan_ratio_cpu"] = rescan["brokerguard"].cpu / rescan["checkov-all"].cpu
    limits = {"ratio_1000": 0.5, "ratio_1000_cpu": 0.5, "wall_10000": 60.0, "cpu_10000": 60.0, "rss_10000": 2048.0,
              "rescan_ratio": 0.1, "rescan_ratio_cpu": 0.1, "startup": 0.5}
    units = {"ratio_1000": "x", "ratio_1000_cpu": "x", "wall_10000": " s", "cpu_10000": " s", "rss_10000": " MiB",
             "rescan_ratio": "x", "rescan_ratio_cpu": "x", "startup": " s"}
    lines += ["", "| target | measured | limit | met |", "|---|---:|---:|---|"]
    for label, key in TARGETS:
        if key in results:
            got, limit = results[key], limits[key]
            verdict = "yes" if got <= limit else f"no, {got / limit:.1f}x the limit"
            lines.append(f"| {label} | {got:.2f}{units[key]} | {limit:g}{units[key]} | {verdict} |")
        else:
            lines.append(f"| {label} | not measured in this run | | |")
    lines += ["", END]
    return "\n".join(lines)


def measure_dynamic(work_dir: Path, rules: int, runs: int, seed: int) -> list[str]:
    """brokerguard and plain Checkov on a module tree heavy with dynamic blocks (generate_dynamic), its
    example root scanned as a user would: the rows of its own table, with the issue-18 target."""
    tree = work_dir / f"dynamic-{rules}"
    lines_of_tf = generate_dynamic(tree, rules, seed)
    cmds = commands(tree / "examples" / "complete")
    timings = {tool: measure(cmds[tool], runs) for tool in ("brokerguard", "checkov-all")}
    for tool, t in timings.items():
        print(f"dynamic {tool:<13} median {t.median:7.2f} s  CPU {t.cpu:7.2f} s", file=sys.stderr)
    base = timings["checkov-all"]
    rows = ["", f"A module tree heavy with dynamic blocks (`generate.py --dynamic-rules {rules}`: {lines_of_tf:,} lines, "
            "a WAFv2 module with nested dynamic rule, statement, field_to_match and text_transformation blocks and a "
            "security-group module, called from examples/complete):", "",
            "| tool | median wall (s) | min-max (s) | CPU (s) | peak RSS (MiB) | x plain Checkov (wall) "
            "| x plain Checkov (CPU) |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for tool, t in timings.items():
        rows.append(f"| {tool} | {t.median:.2f} | {min(t.walls):.2f}-{max(t.walls):.2f} | {t.cpu:.2f} | {t.peak_mib:.0f} | "
                    f"{t.median / base.median:.2f} | {t.cpu / base.cpu:.2f} |")
    ratio = timings["brokerguard"].median / base.median
    verdict = "yes" if ratio <= 0.1 else f"no, {ratio / 0.1:.1f}x the limit"
    rows += ["", "| target | measured | limit | met |", "|---|---:|---:|---|",
             f"| module heavy with dynamic blocks <= 0.1x plain Checkov (wall) | {ratio:.2f}x | 0.1x | {verdict} |"]
    return rows


def write_doc(section: str, start: str = START, end: str = END) -> None:
    """Replace the section between (and including) the two markers of docs/performance.md; keep the rest."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Performance\n\n{start}\n{end}\n"
    if start not in text or end not in text:
        raise SystemExit(f"{DOC}: the markers {start} / {end} are missing")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    DOC.write_text(head + section + tail, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement; the median is reported")
    parser.add_argument("--sizes", default="100,1000,10000", help="tree sizes in resources, comma-separated")
    parser.add_argument("--large-runs", type=int, default=None,
                        help="runs per measurement for trees of 10,000 resources or more (default: --runs)")
    parser.add_argument("--large-tools", default="brokerguard,checkov-all,checkov-ours",
                        help="tools measured on trees of 10,000 resources or more, comma-separated")
    parser.add_argument("--rescan-size", type=int, default=1000, help="tree size for the re-scan measurement (0: skip)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/brokerguard-bench"))
    parser.add_argument("--no-doc", action="store_true", help="print the table instead of writing docs/performance.md")
    parser.add_argument("--dynamic-rules", type=int, default=40,
                        help="rule-list length of the module tree heavy with dynamic blocks (0: skip that measurement)")
    args = parser.parse_args(argv)

    started = dt.datetime.now(dt.UTC)
    load_before = load()
    sizes: dict[int, tuple[int, dict[str, Timing]]] = {}
    for size in (int(s) for s in args.sizes.split(",")):
        tree = args.work_dir / f"tree-{size}"
        generate(tree, size, args.seed)
        files = sum(1 for _ in tree.rglob("*.tf"))
        timings = {}
        large = size >= 10_000
        for tool, cmd in commands(tree).items():
            if large and tool not in args.large_tools.split(","):
                continue
            timings[tool] = measure(cmd, args.large_runs or args.runs if large else args.runs)
            print(f"{size:>6} {tool:<13} median {timings[tool].median:7.2f} s  peak {timings[tool].peak_mib:6.0f} MiB",
                  file=sys.stderr)
        sizes[size] = (files, timings)
    startup = {tool: measure([str(BIN / tool), "--version"], max(args.runs, 5)) for tool in ("brokerguard", "checkov")}
    rescan = None
    if args.rescan_size:
        tree = args.work_dir / f"tree-{args.rescan_size}"
        generate(tree, args.rescan_size, args.seed)
        cmds = commands(tree)
        # brokerguard re-scans with its parse cache, which the first full scan below fills.
        cache = args.work_dir / "cache"
        shutil.rmtree(cache, ignore_errors=True)
        cmds["brokerguard"] = cmds["brokerguard"] + ["--cache-dir", str(cache)]
        rescan = {}
        for tool in ("brokerguard", "checkov-all"):
            run_once(cmds[tool])  # a first full scan, so that whatever can be reused is there
            rescan[tool] = measure(cmds[tool], args.runs, before=touch_one_file(tree))
            print(f"rescan {tool:<13} median {rescan[tool].median:7.2f} s", file=sys.stderr)
    dynamic = measure_dynamic(args.work_dir, args.dynamic_rules, args.runs, args.seed) if args.dynamic_rules else []
    section = render(args, machine(), load_before, load(), sizes, startup, rescan, started)
    section = section.replace(END, "\n".join([*dynamic, "", END]).lstrip("\n") if dynamic else END)
    if args.no_doc:
        print(section)
    else:
        write_doc(section)
        print(f"wrote {DOC}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
