"""Benchmark brokerguard against plain Checkov (and Pulumi's SDK); write docs/performance.md.

Every row of issue 18, measured side by side in one run:

    cold        brokerguard scan TREE --tier 1 --format cli           on generated trees (--sizes)
                checkov -d TREE --framework terraform --skip-download  (every built-in check: checkov-all)
                [checkov-ours: the same with only our checks, with --tools]
    re-scan     after one file changed, and with nothing changed: brokerguard with --cache-dir (filled by
                a first scan) against plain Checkov scanning the same tree again
    Pulumi      a generated program under mocks: brokerguard's scan against the program under the SDK's
                own mocks (benchmarks/pulumi_bench.py)
    dynamic     a module heavy with nested `dynamic` blocks (dynamic_heavy_tree below: a hook for the
                generator of branch i12dyn)

wall time (median, min and max of --runs runs), CPU time (user + system of the process tree) and peak
memory (the largest resident set of one process in the tree, from wait4's rusage). The measured
sections of docs/performance.md (between the markers) are replaced; the analysis around them is kept.

    .venv/bin/python benchmarks/run.py --runs 3 [--sizes 1000,10000] [--rescan-size 1000] [--pulumi-resources 1000]
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
from generate import generate

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DOC = REPO / "docs" / "performance.md"
START, END = "<!-- measured:start -->", "<!-- measured:end -->"
OFFLINE_ENV = {"CKV_SKIP_PACKAGE_UPDATE_CHECK": "True", "BC_SKIP_MAPPING": "TRUE", "ANSI_COLORS_DISABLED": "True"}
AS_OF = "2024-06-30"  # fixed, so that the same controls are in force in every run

# (label, key of the measured value, limit, unit)
TARGETS = (
    ("cold, 1,000 resources <= 0.25x plain Checkov (wall)", "cold_1000", 0.25, "x"),
    ("the same in CPU time (less sensitive to other load)", "cold_1000_cpu", 0.25, "x"),
    ("cold, 10,000 resources <= 0.25x plain Checkov (wall)", "cold_10000", 0.25, "x"),
    ("the same in CPU time", "cold_10000_cpu", 0.25, "x"),
    ("10,000 resources under 1 GiB peak (largest process)", "rss_10000", 1024.0, " MiB"),
    ("re-scan after one file changed <= 0.1x plain Checkov (wall)", "rescan_one", 0.1, "x"),
    ("the same in CPU time", "rescan_one_cpu", 0.1, "x"),
    ("re-scan with nothing changed <= 0.1x plain Checkov (wall)", "rescan_none", 0.1, "x"),
    ("the same in CPU time", "rescan_none_cpu", 0.1, "x"),
    ("Pulumi, 1,000 resources <= 1.3x the program under plain mocks (wall)", "pulumi", 1.3, "x"),
    ("the same in CPU time", "pulumi_cpu", 1.3, "x"),
    ("dynamic-block-heavy module <= 0.1x plain Checkov (wall)", "dynamic", 0.1, "x"),
    ("the same in CPU time", "dynamic_cpu", 0.1, "x"),
    ("`brokerguard --version` < 0.5 s", "startup", 0.5, " s"),
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


def commands(tree: Path, tools: list[str]) -> dict[str, list[str]]:
    checkov = [str(BIN / "checkov"), "-d", str(tree), "--framework", "terraform", "--skip-download"]
    every = {
        "brokerguard": [str(BIN / "brokerguard"), "scan", str(tree), "--tier", "1", "--format", "cli",
                        "--as-of", AS_OF],
        "checkov-all": checkov,
        "checkov-ours": lambda: checkov + ["--external-checks-dir", str(REPO / "policies" / "checkov"),
                                           "--check", ",".join(our_check_ids())],
    }
    return {t: c() if callable(c) else c for t, c in every.items() if t in tools}


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


def dynamic_heavy_tree(out: Path) -> Path | None:
    """The hook for the dynamic-block-heavy row: write such a module tree (nested `dynamic` rule blocks
    over variables with long default lists, called from an example) under ``out`` and return the path
    to scan, or None while benchmarks/generate.py has no such generator (branch i12dyn adds one: wire
    it here, e.g. ``generate.dynamic_heavy(out)``)."""
    import generate

    make = getattr(generate, "dynamic_heavy", None)
    return make(out) if callable(make) else None


def _rows(title: str, timings: dict[str, Timing], base: str) -> list[str]:
    lines = [f"| {title} | tool | median wall (s) | min-max (s) | CPU (s) | peak RSS (MiB) | x {base} (wall) "
             f"| x {base} (CPU) |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    b = timings[base]
    for tool, t in timings.items():
        lines.append(f"| | {tool} | {t.median:.2f} | {min(t.walls):.2f}-{max(t.walls):.2f} | {t.cpu:.2f} | "
                     f"{t.peak_mib:.0f} | {t.median / b.median:.2f} | {t.cpu / b.cpu:.2f} |")
    return lines


def render(command: str, info: dict[str, str], load_before: str, load_after: str, started: dt.datetime,
           tables: dict[str, dict[str, Timing]], results: dict[str, float]) -> str:
    lines = [START, "", f"Measured {started:%Y-%m-%d %H:%M} UTC by `{command}`.", ""]
    lines += ["| machine | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in info.items()]
    lines += [f"| load average (1/5/15 min) before | {load_before} |", f"| load average after | {load_after} |", ""]
    for title, timings in tables.items():
        base = "checkov-all" if "checkov-all" in timings else "sdk"
        lines += _rows(title, timings, base) + [""]
    lines += ["| target | measured | limit | met |", "|---|---:|---:|---|"]
    for label, key, limit, unit in TARGETS:
        if key in results:
            got = results[key]
            verdict = "yes" if got <= limit else f"no, {got / limit:.1f}x the limit"
            lines.append(f"| {label} | {got:.2f}{unit} | {limit:g}{unit} | {verdict} |")
        else:
            lines.append(f"| {label} | not measured in this run | {limit:g}{unit} | |")
    lines += ["", END]
    return "\n".join(lines)


def write_doc(section: str, start: str = START, end: str = END) -> None:
    """Replace the section between (and including) the two markers of docs/performance.md; keep the rest."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Performance\n\n{start}\n{end}\n"
    if start not in text or end not in text:
        raise SystemExit(f"{DOC}: the markers {start} / {end} are missing")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    DOC.write_text(head + section + tail, encoding="utf-8")


def _ratios(results: dict[str, float], key: str, ours: Timing, base: Timing) -> None:
    results[key] = ours.median / base.median
    results[f"{key}_cpu"] = ours.cpu / base.cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement; the median is reported")
    parser.add_argument("--sizes", default="1000,10000", help="tree sizes in resources, comma-separated")
    parser.add_argument("--large-runs", type=int, default=None,
                        help="runs per measurement for trees of 10,000 resources or more (default: --runs)")
    parser.add_argument("--tools", default="brokerguard,checkov-all", help="brokerguard,checkov-all[,checkov-ours]")
    parser.add_argument("--rescan-size", type=int, default=1000, help="tree size for the re-scan rows (0: skip)")
    parser.add_argument("--pulumi-resources", type=int, default=1000, help="size of the Pulumi program (0: skip)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/brokerguard-bench"))
    parser.add_argument("--no-doc", action="store_true", help="print the tables instead of writing docs/performance.md")
    args = parser.parse_args(argv)
    command = "benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    tools = args.tools.split(",")

    started = dt.datetime.now(dt.UTC)
    load_before = load()
    tables: dict[str, dict[str, Timing]] = {}
    results: dict[str, float] = {}
    for size in (int(s) for s in args.sizes.split(",") if s):
        tree = args.work_dir / f"tree-{size}"
        generate(tree, size, args.seed)
        files = sum(1 for _ in tree.rglob("*.tf"))
        runs = args.large_runs or args.runs if size >= 10_000 else args.runs
        timings = {tool: measure(cmd, runs) for tool, cmd in commands(tree, tools).items()}
        tables[f"cold, {size:,} resources ({files:,} .tf files)"] = timings
        _ratios(results, f"cold_{size}", timings["brokerguard"], timings["checkov-all"])
        results[f"rss_{size}"] = timings["brokerguard"].peak_mib
        print(f"cold {size}: " + ", ".join(f"{t} {v.median:.2f} s" for t, v in timings.items()), file=sys.stderr)
    if args.rescan_size:
        tree = args.work_dir / f"tree-{args.rescan_size}"
        generate(tree, args.rescan_size, args.seed)
        cmds = commands(tree, ["brokerguard", "checkov-all"])
        cache = args.work_dir / "cache"  # outside the tree: brokerguard refuses a cache inside a scanned path
        shutil.rmtree(cache, ignore_errors=True)
        cmds["brokerguard"] += ["--cache-dir", str(cache)]
        run_once(cmds["brokerguard"])  # a first full scan fills the cache
        one = {tool: measure(cmd, args.runs, before=touch_one_file(tree)) for tool, cmd in cmds.items()}
        run_once(cmds["brokerguard"])  # the cache holds the tree as it is now (the last edit was Checkov's run's)
        none = {tool: measure(cmd, args.runs) for tool, cmd in cmds.items()}
        tables[f"re-scan of {args.rescan_size:,} resources, one file changed before each run"] = one
        tables[f"re-scan of {args.rescan_size:,} resources, nothing changed"] = none
        _ratios(results, "rescan_one", one["brokerguard"], one["checkov-all"])
        _ratios(results, "rescan_none", none["brokerguard"], none["checkov-all"])
        print(f"rescan: one {one['brokerguard'].median:.2f} s, none {none['brokerguard'].median:.2f} s", file=sys.stderr)
    dynamic = dynamic_heavy_tree(args.work_dir / "dynamic-heavy")
    if dynamic is not None:
        timings = {tool: measure(cmd, args.runs) for tool, cmd in commands(dynamic, ["brokerguard", "checkov-all"]).items()}
        tables["dynamic-block-heavy module"] = timings
        _ratios(results, "dynamic", timings["brokerguard"], timings["checkov-all"])
    pulumi_section = None
    if args.pulumi_resources:
        from pulumi_bench import END as PULUMI_END
        from pulumi_bench import START as PULUMI_START
        from pulumi_bench import measure_program, section

        pulumi_load = load()
        count, timings = measure_program(args.pulumi_resources, args.runs)
        _ratios(results, "pulumi", timings["scan"], timings["sdk"])
        pulumi_section = section(command, dt.datetime.now(dt.UTC), pulumi_load, load(), count, timings)
        print(f"pulumi: scan {timings['scan'].median:.2f} s, sdk {timings['sdk'].median:.2f} s", file=sys.stderr)
    startup = {tool: measure([str(BIN / tool), "--version"], max(args.runs, 5)) for tool in ("brokerguard", "checkov")}
    tables["start-up (`--version`)"] = {"brokerguard": startup["brokerguard"], "checkov-all": startup["checkov"]}
    results["startup"] = startup["brokerguard"].median
    text = render(command, machine(), load_before, load(), started, tables, results)
    if args.no_doc:
        print(text if pulumi_section is None else f"{text}\n\n{pulumi_section}")
    else:
        write_doc(text)
        if pulumi_section is not None:
            write_doc(pulumi_section, PULUMI_START, PULUMI_END)
        print(f"wrote {DOC}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
