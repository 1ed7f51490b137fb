"""Command line: `brokerguard scan`, `brokerguard controls`, `brokerguard tier`.

Exit codes: 0 every control the tier requires holds; 1 at least one does not; 2 input or usage error.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import dataclasses
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from brokerguard import __version__, tiers
from brokerguard.errors import InputError

if TYPE_CHECKING:  # the CLI imports the engine lazily so that --version and --help stay fast
    from brokerguard.catalog import Catalog
    from brokerguard.config import Config
    from brokerguard.gate import Gate, GateOptions
    from brokerguard.profile import Profile
    from brokerguard.scan import ScanResult

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like every other input error
        self.exit(EXIT_INPUT, f"brokerguard: error: {message} (see `{self.prog} --help`)\n")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a valid date (YYYY-MM-DD)") from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < 86400:  # nan fails too
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds between 0 and 86400")
    return value


def _tier(text: str) -> int:
    from brokerguard.profile import parse_tier

    try:
        return parse_tier(text, "--tier")
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _capital(text: str) -> float:
    from brokerguard.profile import parse_capital

    try:
        return parse_capital(text, "--capital")
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _add_broker_options(p: argparse.ArgumentParser, tier_required: bool = False) -> None:
    who = p.add_argument_group("broker (one of --tier, --capital or a profile with tier or capital)")
    group = who.add_mutually_exclusive_group(required=tier_required)
    group.add_argument("--tier", type=_tier, help="the broker's tier, 1 (largest) to 4")
    group.add_argument("--capital", type=_capital, metavar="NTD",
                       help=f"paid-in capital in NT$; sets the tier ({tiers.describe()})")
    p.add_argument("--as-of", type=_date, default=None, metavar="YYYY-MM-DD",
                   help="judge the rules in force on this date (default: today)")
    p.add_argument("--rule-set", metavar="ID[,ID...]",
                   help="rule sets to judge by (policies/rule_sets/; default: the profile's rule_sets, else "
                        "twse-tiers-2021); where two require a control of different firms, the stricter applies")


def _add_parameters_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--parameters", type=Path, metavar="FILE",
                   help="CloudFormation parameter values, in the AWS CLI's JSON format "
                        "([{\"ParameterKey\": ..., \"ParameterValue\": ...}]); parameters left out take their defaults")


def _parameters(args: argparse.Namespace) -> dict | None:
    from brokerguard.providers.cloudformation import read_parameters

    return read_parameters(args.parameters) if getattr(args, "parameters", None) else None


def _add_scan_options(scan: argparse.ArgumentParser) -> None:
    from brokerguard.catalog import LANGS
    from brokerguard.config import FILE_NAME
    from brokerguard.gate import GATES
    from brokerguard.report import EXTENSIONS, format_list
    from brokerguard.report.i18n import DEFAULT_LANG

    scan.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                      help="Terraform directory or plan JSON; Pulumi program directory, stack export or preview JSON; "
                           "CloudFormation template or directory; CDK cdk.out (or `paths` in the config file)")
    scan.add_argument("--config-file", type=Path, metavar="FILE",
                      help=f"read defaults from FILE (default: {FILE_NAME} in the working directory, else at the "
                           "repository root)")
    scan.add_argument("--stack", metavar="NAME",
                      help="Pulumi programs: the stack whose Pulumi.<NAME>.yaml configures the run (default: dev, "
                           "Pulumi.dev.yaml when it exists; a program with other stack files and no "
                           "Pulumi.dev.yaml needs --stack)")
    scan.add_argument("--timeout", type=_seconds, metavar="SECONDS",
                      help="Pulumi programs: stop a program that runs longer than this under mocks, exit 2 (default: 300)")
    _add_parameters_option(scan)
    scan.add_argument("--var-file", type=Path, action="append", default=[], metavar="FILE",
                      help="Terraform directories: a variable file, as `terraform plan -var-file` (repeatable, "
                           "later files win; after terraform.tfvars and *.auto.tfvars)")
    scan.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                      help="Terraform directories: one variable, as `terraform plan -var` (repeatable; wins over files)")
    _add_broker_options(scan)
    scan.add_argument("--profile", type=Path, help="broker profile YAML: name, tier or capital, tag keys, evidence, waivers")
    gate = scan.add_argument_group("gate (what sets the exit code)")
    gate.add_argument("--gate", choices=GATES, default="all",
                      help="all: every failing control fails the run; infrastructure: only controls that failed on "
                           "findings (evidence controls are still reported) (default: all)")
    gate.add_argument("--soft-fail", action=argparse.BooleanOptionalAction, default=False,
                      help="exit 0 even when controls fail; input that cannot be judged still exits 2")
    gate.add_argument("--baseline", type=Path, metavar="FILE",
                      help="findings accepted in FILE (written by --create-baseline) do not fail the run; new ones do")
    gate.add_argument("--create-baseline", type=Path, metavar="FILE",
                      help="write every failed finding of this scan to FILE as the accepted baseline")
    gate.add_argument("--changed-files", metavar="FILE",
                      help="one path a line (- for standard input): the whole stack is judged, but only findings "
                           "located in these files fail the run")
    scan.add_argument("--format", type=format_list, default=["cli"], metavar="FMT[,FMT...]",
                      help=f"report formats, comma-separated: {', '.join(EXTENSIONS)} (default: cli)")
    scan.add_argument("--output", "-o", type=Path, help="write the report (one format) to this file instead of standard output")
    scan.add_argument("--output-dir", type=Path, metavar="DIR", help="write DIR/report.<ext> for each format")
    scan.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG,
                      help=f"language of the reports (default: {DEFAULT_LANG})")
    scan.add_argument("--quiet", action=argparse.BooleanOptionalAction, default=False,
                      help="terminal report: only the controls that fail")
    scan.add_argument("--no-color", action="store_true", help="never colour the output (default: colour only on a terminal)")
    scan.add_argument("--repo-root", type=Path, metavar="DIR",
                      help="SARIF: make file URIs relative to DIR (default: the git top level of the first path)")
    scan.add_argument("--help-base-url", metavar="URL",
                      help="SARIF: helpUri of each rule is URL#<check id> (default: the checks page of brokerguard's docs)")
    scan.add_argument("--cache-dir", type=Path, metavar="DIR",
                      help="keep what a Terraform scan derives here (parsed files, each root module's findings), "
                           "keyed by the content of everything it depends on, so that a re-scan judges again only "
                           "the root modules whose files or inputs changed (outside the scanned paths)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="brokerguard",
        description="Check declared infrastructure against the tiered cybersecurity controls of "
                    "Taiwanese securities brokers (證券商資通安全分級防護), control by control.",
        epilog="Exit codes: 0 every required control holds, 1 at least one fails, 2 input or usage error.",
    )
    parser.add_argument("--version", action="version", version=f"brokerguard {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    scan = sub.add_parser("scan", help="judge declared infrastructure against every control of the broker's tier",
                          description="Scan infrastructure code and report every control of the tier "
                                      "with one status: pass, fail, attested, waived, evidence_missing, "
                                      "not_applicable or not_in_force. Several paths are judged as one stack. "
                                      "Inputs are recognised by content: a Terraform directory, a Terraform "
                                      "plan JSON (terraform show -json), a Pulumi program directory (run "
                                      "under mocks: no Pulumi CLI, no credentials), a Pulumi stack export or "
                                      "a `pulumi preview --json` output, a CloudFormation template (YAML or "
                                      "JSON) or a directory of them, a CDK cloud assembly (cdk.out). Defaults come "
                                      "from .brokerguard.yaml "
                                      "(working directory, else repository root) or --config-file.")
    _add_scan_options(scan)
    config = sub.add_parser("config", help="print the effective configuration of `scan` (command line > config file > defaults)",
                            description="Print the options `brokerguard scan` would run with, and where each "
                                        "comes from: the command line, the config file or the default.")
    _add_scan_options(config)

    aws = sub.add_parser("scan-aws", help="judge a live AWS account (read-only, boto3) against the tier's controls",
                         description="Read an AWS account read-only (docs/aws-permissions.md lists the permissions) "
                                     "and judge it with the same checks as code. A service that denies access or a "
                                     "region that cannot be reached makes the controls depending on it `error` (exit 2).")
    _add_broker_options(aws)
    aws.add_argument("--profile", type=Path, help="broker profile YAML: name, tier or capital, tag keys, evidence, waivers")
    aws.add_argument("--region", action="append", default=[], metavar="R",
                     help="region to read (repeat for several; default: the AWS profile's or environment's region)")
    aws.add_argument("--aws-profile", metavar="NAME", help="AWS credentials profile (default: the usual boto3 chain)")
    aws.add_argument("--endpoint-url", metavar="URL", help="send every AWS call to this endpoint (a test double)")
    aws.add_argument("--compare-with", type=Path, metavar="PATH",
                     help="Terraform directory or plan, Pulumi source, CloudFormation template or directory, or CDK "
                          "cdk.out: add a drift section against it")
    _add_parameters_option(aws)
    aws.add_argument("--format", choices=("cli", "json"), default="cli", help="report format (default: cli)")
    aws.add_argument("--output", "-o", type=Path, help="write the report to this file instead of standard output")
    aws.add_argument("--no-color", action="store_true", help="never colour the output (default: colour only on a terminal)")

    controls = sub.add_parser("controls", help="list the controls a tier must run, and from when",
                              description="List every control of the catalog with what it means for the tier.")
    _add_broker_options(controls)
    controls.add_argument("--profile", type=Path, help="broker profile YAML: tier or capital, facts, rule sets")
    controls.add_argument("--format", choices=("cli", "json"), default="cli")

    tier = sub.add_parser("tier", help="tell which tier a paid-in capital puts a broker in")
    tier.add_argument("--capital", type=_capital, required=True, metavar="NTD", help="paid-in capital in NT$")
    return parser


def _destinations(args: argparse.Namespace) -> list[tuple[str, Path | None]]:
    """(format, file) of every report asked for; None is standard output. Checked before the scan
    runs: a report never overwrites an input of the scan, and --output-dir is a directory."""
    from brokerguard.output import OutputError, check_directory, refuse_inputs
    from brokerguard.report import EXTENSIONS

    if args.output and args.output_dir:
        raise OutputError("--output and --output-dir exclude each other (--output-dir writes one file per format)")
    if len(args.format) > 1 and not args.output_dir:
        raise OutputError(f"{len(args.format)} formats ({','.join(args.format)}) need --output-dir DIR")
    if args.output_dir:
        check_directory(args.output_dir)
        found = [(fmt, args.output_dir / f"report.{EXTENSIONS[fmt]}") for fmt in args.format]
    else:
        found = [(args.format[0], args.output)]
    if getattr(args, "stdout_closed", False) and any(p is None or str(p) == "-" for _, p in found):
        raise OutputError("standard output: closed, cannot write the report (give --output FILE)")
    inputs = list(args.paths) + [p for p in (getattr(args, "profile", None), getattr(args, "parameters", None)) if p]
    refuse_inputs([p for _, p in found if p is not None], inputs)
    return found


def _write_error_reports(destinations: list[tuple[str, Path | None]], message: str, lang: str) -> None:
    """On exit 2, every report file asked for (and JSON or SARIF on standard output) says the scan
    could not be judged and why; when even that cannot be written, the error line still stands."""
    from brokerguard.output import write_all
    from brokerguard.report import error

    reports = [(p, error.render(fmt, message, lang)) for fmt, p in destinations if p is not None or fmt in ("json", "sarif")]
    with contextlib.suppress(InputError):
        write_all(reports)


def _profile(args: argparse.Namespace) -> tuple[Catalog, Profile]:
    """The broker, and the catalog of the rule sets it is judged by: --rule-set, else the profile's, else the default."""
    from brokerguard import schema
    from brokerguard.catalog import load_catalog, rule_set_ids
    from brokerguard.profile import Profile, parse_profile

    chosen = rule_set_ids(args.rule_set, "--rule-set") if args.rule_set is not None else None
    if getattr(args, "profile", None):
        # read (and size-checked) before the catalog, whose registry imports Checkov: a bad profile is refused cheaply
        raw = schema.load_yaml(args.profile)
        profile = parse_profile(raw, str(args.profile), load_catalog(), args.tier, args.capital, source=str(args.profile))
    elif args.tier is None and args.capital is None:
        raise InputError("no tier: pass --tier N, --capital NTD or --profile FILE")
    else:
        profile = Profile(tier=args.tier if args.tier is not None else tiers.tier_for_capital(args.capital),
                          capital=args.capital)
    return load_catalog(chosen or profile.rule_sets), profile


def _given(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """Only the options the command line gave: every default suppressed for one parse."""
    saved = [(a, a.default) for a in parser._actions]
    for action, _ in saved:
        action.default = argparse.SUPPRESS
    try:
        return parser.parse_args(argv)
    finally:
        for action, default in saved:
            action.default = default


def _scan_args(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[argparse.Namespace, Config, set[str]]:
    """Command line > config file > defaults, and which options the command line gave."""
    from brokerguard import config

    given_ns = _given(parser, argv)
    given = set(vars(given_ns))
    found = config.load(config.find(getattr(given_ns, "config_file", None)), parser)
    args = parser.parse_args([])
    for dest, value in found.values.items():
        setattr(args, dest, value)
    if given & {"tier", "capital"}:  # the command line's tier or capital replaces the file's
        args.tier = args.capital = None
    for dest in given:
        setattr(args, dest, getattr(given_ns, dest))
    args.config_file = found.path
    args.lang_given = "lang" in given or "lang" in found.values
    return args, found, given


def _read_changed(spec: str) -> frozenset[str]:
    from brokerguard.gate import read_changed_files

    if spec == "-":
        return read_changed_files(sys.stdin, "standard input")
    try:
        text = Path(spec).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{spec}: cannot read the changed-files list ({getattr(exc, 'strerror', None) or exc})") from None
    return read_changed_files(text.splitlines(), spec)


def _gate_options(args: argparse.Namespace) -> GateOptions:
    from brokerguard import baseline
    from brokerguard.gate import GateOptions

    if args.baseline and args.create_baseline:
        raise InputError("--baseline and --create-baseline exclude each other (a baseline is made from a full scan)")
    return GateOptions(mode=args.gate, soft_fail=args.soft_fail,
                       baseline=baseline.load(args.baseline) if args.baseline else None,
                       changed_files=_read_changed(args.changed_files) if args.changed_files else None)


def _cmd_scan(args: argparse.Namespace) -> int:
    from brokerguard import baseline, report
    from brokerguard.output import OutputError, refuse_inputs, write_all
    from brokerguard.report import Options

    if not args.paths:
        raise InputError("no path to scan: give PATH, or `paths` in the config file")
    destinations = _destinations(args)
    if args.create_baseline:
        refuse_inputs([args.create_baseline], list(args.paths) + ([args.profile] if args.profile else []))
    try:
        result, gate = _scan(args)
        to_terminal = args.output is None and args.output_dir is None
        colour = to_terminal and not args.no_color and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        texts = report.render(args.format, result, args.lang, gate, colour=colour, options=Options(
            quiet=args.quiet, repo_root=args.repo_root, help_base_url=args.help_base_url,
            config_file=str(args.config_file) if args.config_file else None,
            terminal_lang=args.lang if args.lang_given else None))
    except InputError as exc:
        if not isinstance(exc, OutputError):
            _write_error_reports(destinations, exc.one_line(), args.lang)
        raise
    written = [(path, texts[fmt]) for fmt, path in destinations]
    if args.create_baseline:
        written.append((args.create_baseline, baseline.to_text(gate.entries)))
    write_all(written)
    if args.output_dir and sys.stderr.isatty():
        print(f"brokerguard: wrote {', '.join(p.name for _, p in destinations if p)} to {args.output_dir}", file=sys.stderr)
    return gate.exit_code


def _cmd_config(args: argparse.Namespace, parser: argparse.ArgumentParser, found: Config, given: set[str]) -> int:
    from brokerguard import config

    where = str(found.path) if found.path else "none found"
    print(f"# brokerguard scan configuration: command line > config file ({where}) > defaults")
    for key, value, source in config.effective(parser, found, args, given):
        plain = isinstance(value, (Path, dt.date))
        shown = [str(v) for v in value] if isinstance(value, list) else str(value) if plain else value
        print(f"{key}: {json.dumps(shown, ensure_ascii=False)}  # {source}")
    return EXIT_OK


def _scan(args: argparse.Namespace) -> tuple[ScanResult, Gate]:
    from brokerguard import hcl_cache, scan_cache
    from brokerguard.gate import decide
    from brokerguard.providers.terraform import files_to_parse
    from brokerguard.providers.terraform_variables import terraform_variables
    from brokerguard.scan import scan

    # The registry too is read from the cache, before the scan; the files are parsed on the other core
    # while the catalog and Checkov load.
    with scan_cache.using(args.cache_dir, args.paths), hcl_cache.parsing_ahead(files_to_parse(args.paths)):
        catalog, profile = _profile(args)
        options = _gate_options(args)  # a bad baseline or changed-files list fails before the scan runs
        as_of = args.as_of or dt.date.today()
        if sys.stderr.isatty():
            print(f"brokerguard: scanning {', '.join(map(str, args.paths))} for tier {profile.tier}...", file=sys.stderr)
        result = scan(args.paths, profile, as_of, catalog, stack=args.stack, timeout=args.timeout,
                      parameters=_parameters(args), variables=terraform_variables(args.var_file, args.var))
    return result, decide(result, options)


def _render(args: argparse.Namespace, result: ScanResult) -> str:
    """The one report of a live scan, in the default language."""
    from brokerguard import report
    from brokerguard.gate import GateOptions, decide
    from brokerguard.report.i18n import DEFAULT_LANG

    colour = args.output is None and not args.no_color and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    return report.render([args.format], result, DEFAULT_LANG, decide(result, GateOptions()), colour=colour)[args.format]


def _cmd_scan_aws(args: argparse.Namespace) -> int:
    from brokerguard.drift import compare
    from brokerguard.output import refuse_inputs, write_all
    from brokerguard.providers.aws.build import read_account
    from brokerguard.scan import open_source, scan_sources

    catalog, profile = _profile(args)
    as_of = args.as_of or dt.date.today()
    if args.output:
        refuse_inputs([args.output], [p for p in (args.compare_with, args.profile, args.parameters) if p])
    # a bad path fails before AWS is read
    declared = open_source(args.compare_with, parameters=_parameters(args)) if args.compare_with else None
    result = scan_sources([read_account(args.region, args.aws_profile, args.endpoint_url)], profile, as_of, catalog)
    if declared is not None:
        code = scan_sources([declared], profile, as_of, catalog)
        result = dataclasses.replace(result, drift=compare(list(result.resources), list(code.resources),
                                                           str(args.compare_with)))
    write_all([(args.output, _render(args, result))])
    return result.exit_code


def _cmd_controls(args: argparse.Namespace) -> int:
    from brokerguard.applicability import Answer
    from brokerguard.report.sources import obligation_dict

    catalog, profile = _profile(args)
    as_of = args.as_of or dt.date.today()
    rows = []
    for c in catalog.controls:
        answers = {o.key: o.applies(profile.tier, profile.facts, profile.definitions)[0] for o in c.obligations}
        applicable = [o for o in c.obligations if answers[o.key] is not Answer.NO]
        if not applicable:
            state = "not required"
        elif any(o.in_force <= as_of for o in applicable):
            state = "required" if Answer.YES in answers.values() else "required (fact undeclared)"
        else:
            state = f"required from {min(o.in_force for o in applicable)}"
        rows.append({"id": c.id, "cc": c.cc, "name": c.name, "scope": c.scope, "verification": c.verification,
                     "state": state, "checks": list(c.checks + c.stack_rules), "rule_sets": list(c.rule_sets),
                     "obligations": [{**obligation_dict(o, profile.definitions), "applies": answers[o.key].value}
                                     for o in c.obligations]})
    if args.format == "json":
        print(json.dumps({"tier": profile.tier, "as_of": as_of.isoformat(),
                          "rule_sets": [r.id for r in catalog.rule_sets], "controls": rows},
                         ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"Controls for tier {profile.tier} as of {as_of}, rule sets {', '.join(r.id for r in catalog.rule_sets)}:")
    for row in rows:
        since = "; ".join(f"{o['rule_set']}:{o['id']} from {o['in_force']}" for o in row["obligations"]
                          if o["applies"] != "no")
        print(f"  {row['state']:<26} {row['id']:<24} {row['cc']}  {row['name']['zh-TW']} / {row['name']['en']}"
              f"  [{row['verification']}{': ' + ', '.join(row['checks']) if row['checks'] else ''}]"
              f"{'  (' + since + ')' if since and row['state'] != 'not required' else ''}")
        for o in row["obligations"]:
            print(f"      {o['rule_set']}: {o['source']['title']['zh-TW']} {o['source']['article']['zh-TW']} "
                  f"({o['source']['date']}); binds {o['who']}")
    return EXIT_OK


def _cmd_tier(args: argparse.Namespace) -> int:
    print(f"NT${args.capital:,.0f} paid-in capital: tier {tiers.tier_for_capital(args.capital)}")
    return EXIT_OK


def run() -> None:
    """The `brokerguard` command: main(), then the process ends without tearing the interpreter down.
    Freeing every module and Checkov's graphs one by one took 0.3-0.4 s of a 2 s scan and serves nothing
    once the reports are written; exit handlers still run (child processes, temporary files, logging)
    and the standard streams are flushed."""
    code = main()
    atexit._run_exitfuncs()  # what interpreter shutdown would run first
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader gone or a stream closed: nothing to add
            stream.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    stdout_closed = sys.stdout is None
    if stdout_closed:  # started with standard output closed: libraries that print must not crash
        sys.stdout = sys.__stdout__ = open(os.devnull, "w", encoding="utf-8")
    try:
        if argv and argv[0] in ("scan", "config"):  # options may come from a config file: parsed in two steps
            sub = _subparser(parser, argv[0])
            args, found, given = _scan_args(sub, argv[1:])
            args.stdout_closed = stdout_closed
            return _cmd_scan(args) if argv[0] == "scan" else _cmd_config(args, sub, found, given)
        args = parser.parse_args(argv)
        args.stdout_closed = stdout_closed
        handler = {"scan-aws": _cmd_scan_aws, "controls": _cmd_controls, "tier": _cmd_tier}[args.command]
        return handler(args)
    except InputError as exc:
        print(f"brokerguard: error: {exc.one_line()}", file=sys.stderr)
        return EXIT_INPUT


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices[name]
