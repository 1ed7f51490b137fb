"""Command line: `brokerguard scan`, `brokerguard controls`, `brokerguard tier`.

Exit codes: 0 every control the tier requires holds; 1 at least one does not; 2 input or usage error.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from brokerguard import __version__
from brokerguard.errors import InputError

if TYPE_CHECKING:  # the CLI imports the engine lazily so that --version and --help stay fast
    from brokerguard.catalog import Catalog
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
                       help="paid-in capital in NT$; sets the tier (>= 20e9: 1, >= 10e9: 2, >= 4e9: 3, else 4)")
    p.add_argument("--as-of", type=_date, default=None, metavar="YYYY-MM-DD",
                   help="judge the rules in force on this date (default: today)")


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
                                      "a `pulumi preview --json` output.")
    scan.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                      help="Terraform directory or plan JSON; Pulumi program directory, stack export or preview JSON")
    scan.add_argument("--stack", metavar="NAME",
                      help="Pulumi programs: the stack whose Pulumi.<NAME>.yaml configures the run (default: dev)")
    _add_broker_options(scan)
    scan.add_argument("--profile", type=Path, help="broker profile YAML: name, tier or capital, tag keys, evidence, waivers")
    from brokerguard.catalog import LANGS
    from brokerguard.report import EXTENSIONS, format_list
    from brokerguard.report.i18n import DEFAULT_LANG

    scan.add_argument("--format", type=format_list, default=["cli"], metavar="FMT[,FMT...]",
                      help=f"report formats, comma-separated: {', '.join(EXTENSIONS)} (default: cli)")
    scan.add_argument("--output", "-o", type=Path, help="write the report (one format) to this file instead of standard output")
    scan.add_argument("--output-dir", type=Path, metavar="DIR", help="write DIR/report.<ext> for each format")
    scan.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG,
                      help=f"language of the markdown and html reports (default: {DEFAULT_LANG})")
    scan.add_argument("--no-color", action="store_true", help="never colour the output (default: colour only on a terminal)")
    scan.add_argument("--var-file", type=Path, action="append", default=[], metavar="FILE",
                      help="Terraform directories: a variable file, as `terraform plan -var-file` (repeatable, "
                           "later files win; after terraform.tfvars and *.auto.tfvars)")
    scan.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                      help="Terraform directories: one variable, as `terraform plan -var` (repeatable; wins over files)")
    scan.add_argument("--cache-dir", type=Path, metavar="DIR",
                      help="keep parsed Terraform files here, keyed by their content, so that a re-scan parses "
                           "only the files that changed (checks always run)")

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
                     help="Terraform directory or plan, or Pulumi source: add a drift section against it")
    aws.add_argument("--format", choices=("cli", "json"), default="cli", help="report format (default: cli)")
    aws.add_argument("--output", "-o", type=Path, help="write the report to this file instead of standard output")
    aws.add_argument("--no-color", action="store_true", help="never colour the output (default: colour only on a terminal)")

    controls = sub.add_parser("controls", help="list the controls a tier must run, and from when",
                              description="List every control of the catalog with what it means for the tier.")
    _add_broker_options(controls, tier_required=True)
    controls.add_argument("--format", choices=("cli", "json"), default="cli")

    tier = sub.add_parser("tier", help="tell which tier a paid-in capital puts a broker in")
    tier.add_argument("--capital", type=_capital, required=True, metavar="NTD", help="paid-in capital in NT$")
    return parser


def _write(text: str, output: Path | None) -> None:
    """Write atomically: a failed run never leaves a half-written or stale-looking report."""
    if output is None:
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, output)


def _profile(args: argparse.Namespace, catalog: Catalog) -> Profile:
    from brokerguard.profile import Profile, load_profile, tier_for_capital

    if getattr(args, "profile", None):
        return load_profile(args.profile, catalog, tier=args.tier, capital=args.capital)
    if args.tier is None and args.capital is None:
        raise InputError("no tier: pass --tier N, --capital NTD or --profile FILE")
    tier = args.tier if args.tier is not None else tier_for_capital(args.capital)
    return Profile(tier=tier, capital=args.capital)


def _cmd_scan(args: argparse.Namespace) -> int:
    from brokerguard import report
    from brokerguard.catalog import load_catalog
    from brokerguard.hcl_cache import parse_cache
    from brokerguard.providers.terraform_variables import terraform_variables
    from brokerguard.report import EXTENSIONS
    from brokerguard.scan import scan

    if args.output and args.output_dir:
        raise InputError("--output and --output-dir exclude each other (--output-dir writes one file per format)")
    if len(args.format) > 1 and not args.output_dir:
        raise InputError(f"{len(args.format)} formats ({','.join(args.format)}) need --output-dir DIR")
    catalog = load_catalog()
    profile = _profile(args, catalog)
    as_of = args.as_of or dt.date.today()
    if sys.stderr.isatty():
        print(f"brokerguard: scanning {', '.join(map(str, args.paths))} for tier {profile.tier}...", file=sys.stderr)
    with parse_cache(args.cache_dir):
        result = scan(args.paths, profile, as_of, catalog, stack=args.stack,
                      variables=terraform_variables(args.var_file, args.var))
    to_terminal = args.output is None and args.output_dir is None
    colour = to_terminal and not args.no_color and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    texts = report.render(args.format, result, args.lang, colour=colour)
    for fmt, text in texts.items():
        _write(text, args.output_dir / f"report.{EXTENSIONS[fmt]}" if args.output_dir else args.output)
    if args.output_dir and sys.stderr.isatty():
        print(f"brokerguard: wrote {', '.join(f'report.{EXTENSIONS[f]}' for f in texts)} to {args.output_dir}", file=sys.stderr)
    return result.exit_code


def _render(args: argparse.Namespace, result: ScanResult) -> str:
    """The one report of a live scan, in the default language."""
    from brokerguard import report
    from brokerguard.report.i18n import DEFAULT_LANG

    colour = args.output is None and not args.no_color and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    return report.render([args.format], result, DEFAULT_LANG, colour=colour)[args.format]


def _cmd_scan_aws(args: argparse.Namespace) -> int:
    from brokerguard.catalog import load_catalog
    from brokerguard.drift import compare
    from brokerguard.providers.aws.build import read_account
    from brokerguard.scan import open_source, scan_sources

    catalog = load_catalog()
    profile = _profile(args, catalog)
    as_of = args.as_of or dt.date.today()
    declared = open_source(args.compare_with) if args.compare_with else None  # a bad path fails before AWS is read
    result = scan_sources([read_account(args.region, args.aws_profile, args.endpoint_url)], profile, as_of, catalog)
    if declared is not None:
        code = scan_sources([declared], profile, as_of, catalog)
        result = dataclasses.replace(result, drift=compare(list(result.resources), list(code.resources),
                                                           str(args.compare_with)))
    _write(_render(args, result), args.output)
    return result.exit_code


def _cmd_controls(args: argparse.Namespace) -> int:
    from brokerguard.catalog import load_catalog
    from brokerguard.profile import tier_for_capital

    catalog = load_catalog()
    tier = args.tier if args.tier is not None else tier_for_capital(args.capital)
    as_of = args.as_of or dt.date.today()
    rows = []
    for c in catalog.controls:
        applicable = c.applicable(tier)
        if not applicable:
            state = "not required"
        elif c.in_force(tier, as_of):
            state = "required"
        else:
            state = f"required from {min(o.in_force for o in applicable)}"
        rows.append({"id": c.id, "cc": c.cc, "name": c.name, "scope": c.scope, "verification": c.verification,
                     "state": state, "checks": list(c.checks + c.stack_rules),
                     "obligations": [{"id": o.id, "tiers": sorted(o.tiers), "in_force": o.in_force.isoformat(),
                                      "applies": tier in o.tiers} for o in c.obligations]})
    if args.format == "json":
        print(json.dumps({"tier": tier, "as_of": as_of.isoformat(), "controls": rows}, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"Controls for tier {tier} as of {as_of}:")
    for row in rows:
        since = "; ".join(f"{o['id']} from {o['in_force']}" for o in row["obligations"] if o["applies"])
        print(f"  {row['state']:<26} {row['id']:<24} {row['cc']}  {row['name']['zh-TW']} / {row['name']['en']}"
              f"  [{row['verification']}{': ' + ', '.join(row['checks']) if row['checks'] else ''}]"
              f"{'  (' + since + ')' if since and row['state'] != 'not required' else ''}")
    return EXIT_OK


def _cmd_tier(args: argparse.Namespace) -> int:
    from brokerguard.profile import tier_for_capital

    print(f"NT${args.capital:,.0f} paid-in capital: tier {tier_for_capital(args.capital)}")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {"scan": _cmd_scan, "scan-aws": _cmd_scan_aws, "controls": _cmd_controls, "tier": _cmd_tier}[args.command]
    try:
        return handler(args)
    except InputError as exc:
        print(f"brokerguard: error: {exc.one_line()}", file=sys.stderr)
        return EXIT_INPUT
