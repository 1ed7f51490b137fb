"""Run Checkov in-process, offline, with our checks, and turn its output into findings and resources."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from brokerguard import compat_checkov, parallel, registry, scan_cache
from brokerguard.errors import InputError
from brokerguard.hcl_cache import parse_once
from brokerguard.model import Finding, Resource
from brokerguard.policies import resource_conf
from brokerguard.policies.meta import OK, Text
from brokerguard.providers.plan import PlanSource, display_path
from brokerguard.providers.terraform import PARSE_HINT, TerraformSource, describe_parse_error
from brokerguard.providers.terraform_dynamic import Expander, disagreements, written_existence
from brokerguard.providers.terraform_override import Merged, merging
from brokerguard.providers.terraform_stage import MERGED_VARIABLES, Staged, staged
from brokerguard.providers.terraform_values import Expressions, existence, recording, unknown_attributes
from brokerguard.suppressions import Suppression, in_files


@dataclass(frozen=True)
class CheckovResult:
    findings: list[Finding]  # with every resource that may be created
    resources: list[Resource]
    suppressions: list[Suppression]  # inline skips found in what Checkov read: listed, never applied
    unknown: dict[str, dict[str, str]] = field(default_factory=dict)  # address -> {attribute: why unknown}
    # Without the resources whose count or for_each is unknown (None when there are none): a
    # protection counts only when it holds here too.
    certain_findings: list[Finding] | None = None
    certain_resources: list[Resource] | None = None
    uncertain: tuple[str, ...] = ()  # addresses whose creation is not certain


def _provider_default_tags(definitions: dict) -> dict[str, dict[str, str]]:
    tags: dict[str, dict[str, str]] = {}
    for definition in definitions.values():
        for block in definition.get("provider", []):
            for conf in block.values():
                default = resource_conf.value(conf, "default_tags")
                if isinstance(default, dict):
                    found = resource_conf.effective_tags({"tags": default.get("tags"), "__provider_address__": "-"})
                    tags[conf.get("__address__", "aws.default")] = found
    return tags


def _provider_regions(definitions: dict) -> dict[str, str | None]:
    """Every provider address -> its region when written as a literal, else None (a variable: unknown)."""
    regions: dict[str, str | None] = {}
    for definition in definitions.values():
        for block in definition.get("provider", []):
            for conf in block.values():
                region = resource_conf.value(conf, "region")
                literal = isinstance(region, str) and region and "${" not in region and "." not in region
                regions[conf.get("__address__", "aws.default")] = region if literal else None
    return regions


def _provider(conf: dict, regions: dict[str, str | None]) -> str | None:
    """A resource's provider configuration: the one it names (Checkov's address, or its `provider`
    argument), else the default one. Inside a module the default is inherited only when no other provider
    configuration exists (a module call may pass an aliased one): otherwise it is unknown."""
    named = conf.get("__provider_address__") or str(resource_conf.value(conf, "provider") or "").strip("${}")
    if named:
        return named if "." in named else f"{named}.default"
    if str(conf.get("__address__", "")).startswith("module.") and set(regions) != {"aws.default"}:
        return None
    return "aws.default"


def _region(conf: dict, regions: dict[str, str | None]) -> str | None:
    """The region of a resource's provider, when written as a literal."""
    provider = _provider(conf, regions)
    return regions.get(provider) if provider else None


def _unwrap(conf: dict) -> dict:
    """Undo Checkov's one-element list around each attribute; blocks and maps stay lists of dicts."""
    return {k: _unwrap_attribute(v) for k, v in conf.items() if not k.startswith("__")}


def _unwrap_attribute(value: Any) -> Any:
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return [_unwrap(v) for v in value]
        if len(value) == 1:
            return value[0]
    return value


_REFERENCE = re.compile(r"(?<![\w.])((?:module\.[\w-]+(?:\[[^\]]*\])?\.)*(?:aws|data\.aws)_[a-z0-9_]+\.[\w-]+)"
                        r"(\[[^\]]*\])?")
_QUOTED_NUMBER = re.compile(r'^\["(\d+)"\]$')


def _instances(base: str, index: str, known: set[str], by_base: dict[str, list[str]]) -> list[str]:
    """The addresses a reference names: one instance (`aws_subnet.app[0]`, `...["a"]`), or every
    instance of the block when the index is not known (`[count.index]`, `[each.key]`)."""
    if not index:
        return [base] if base in known else by_base.get(base, [])
    number = _QUOTED_NUMBER.match(index)  # Checkov writes a rendered count.index as ["0"]
    for candidate in (base + index, f"{base}[{number.group(1)}]" if number else None):
        if candidate in known:
            return [candidate]
    return by_base.get(base, [])


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _references(conf: dict, address: str, known: set[str], by_base: dict[str, list[str]]) -> frozenset[str]:
    """Addresses this resource refers to; a reference inside a module is relative to the module."""
    module_prefix = address[: address.rfind(".", 0, address.rfind(".")) + 1] if address.startswith("module.") else ""
    refs = set()
    for text in _strings({k: v for k, v in conf.items() if not k.startswith("__")}):
        for ref, index in _REFERENCE.findall(text):
            for candidate in (module_prefix + ref, ref):
                found = [a for a in _instances(candidate, index, known, by_base) if a != address]
                if found:
                    refs.update(found)
                    break
    return frozenset(refs)


def _resources(definitions: dict, display: Any) -> list[Resource]:
    raw = []
    for key, definition in definitions.items():
        for block in definition.get("resource", []):
            for rtype, named in block.items():
                for name, conf in named.items():
                    raw.append((rtype, name, conf, key.file_path))
    known = {conf.get("__address__", f"{t}.{n}") for t, n, conf, _ in raw}
    regions = _provider_regions(definitions)
    by_base: dict[str, list[str]] = {}
    for a in sorted(known):
        by_base.setdefault(re.sub(r"\[[^\]]*\]$", "", a), []).append(a)
    resources = []
    for rtype, name, conf, path in raw:
        address = conf.get("__address__", f"{rtype}.{name}")
        resources.append(Resource(
            address=address, type=rtype, name=name, values=_unwrap(conf),
            references=_references(conf, address, known, by_base), file=display(path),
            line=int(conf.get("__start_line__", 0)), tags=resource_conf.effective_tags(conf),
            region=_region(conf, regions), provider=_provider(conf, regions),
            end_line=int(conf.get("__end_line__", 0)),
        ))
    return resources


def _findings(report: Any, check_ids: set[str], locate: Callable[[Any], tuple[str, int, str]]) -> list[Finding]:
    policies = registry.load()
    findings = []
    for passed, records in ((True, report.passed_checks), (False, report.failed_checks)):
        for rec in records:
            if rec.check_id not in check_ids:
                continue
            meta = policies[rec.check_id].meta
            file, line, source_id = locate(rec)
            message = Text.join("; ", rec.details) if rec.details else meta.name
            if source_id and not passed:
                message = Text.join(" ", [message, f"({source_id})"])
            findings.append(Finding(
                check_id=rec.check_id, check_name=meta.name, resource=rec.resource, file=file, line=line,
                passed=passed, message=OK if passed else message, guideline=policies[rec.check_id].guideline,
                fix=meta.fix, severity=meta.severity,
            ))
    return findings


def _refuse_skipped(report: Any, check_ids: set[str], where: str) -> None:
    """Checkov runs with skip comments off; a check of ours it skipped anyway (a suppression path this
    version added) would vanish from the verdict, so the scan stops instead of passing."""
    for rec in report.skipped_checks:
        if rec.check_id in check_ids:
            reason = rec.check_result.get("suppress_comment") or "no reason"
            raise InputError(f"{where}: Checkov skipped {rec.check_id} on {rec.resource} ({reason}); brokerguard "
                             f"applies no inline suppression and cannot judge a skipped check")


def run_checkov(source: TerraformSource | PlanSource, check_ids: set[str]) -> CheckovResult:
    """Scan one source with exactly these checks, whatever else this process loaded before.

    Call inside ``resource_conf.scan_context`` so that the checks see the profile's tag keys.
    """
    if isinstance(source, PlanSource):
        registry.register_checks()  # our checks are in Checkov's registries from here on
        return _run_plan(source, check_ids)
    # Several root modules hold the same addresses: each is named by its directory.
    several = len(source.roots) > 1
    parts = [(part, f"{display_path(part.roots[0])}:" if several else "") for part in source.per_root()]
    keys = [_entry_key(part, check_ids, prefix) for part, prefix in parts]
    results = [None if k is None else scan_cache.read("terraform-root", k) for k in keys]
    todo = [i for i, r in enumerate(results) if not isinstance(r, CheckovResult)]
    if todo:
        registry.register_checks()  # our checks are in Checkov's registries from here on
        files = sorted({f for i in todo for f in parts[i][0].files})
        with parse_once(files):  # a file is parsed once
            # Root modules are judged on their own: several are judged side by side, once parsed, the
            # largest first so that the workers end together.
            todo.sort(key=lambda i: -sum(f.stat().st_size for f in parts[i][0].files))
            jobs = [(parts[i][0], check_ids, parts[i][1]) for i in todo]
            judged = parallel.forked_map(_run_terraform, jobs, fork=len(files) >= PARALLEL_ROOTS_FROM)
            for i, result in zip(todo, judged, strict=True):  # in the sources' order again below
                results[i] = result
                if keys[i] is not None:
                    scan_cache.write("terraform-root", keys[i], result)
    return _combined(results)


PARALLEL_ROOTS_FROM = 16  # files; a smaller tree is judged faster than workers start


_ENVIRONMENT = ("CKV_", "CHECKOV_", "BC_", "TF_", "PRISMA_", "RENDER_", "LOG_LEVEL")  # what Checkov may read


def _root_inputs(part: TerraformSource, check_ids: set[str], prefix: str) -> dict[str, Any]:
    """Everything Checkov's judgement of one root module depends on, besides brokerguard's code and the
    dependency versions (scan_cache.code_digest): the content of every file it reads, the values it gets
    from outside, the checks, the profile's tag keys and settings, and where it is (paths in findings)."""
    return {
        "cwd": os.getcwd(), "base": str(part.root), "roots": [str(r) for r in part.roots], "prefix": prefix,
        "framework": part.framework, "checks": sorted(check_ids), "profile": resource_conf.judged_with(),
        "files": [[str(f), hashlib.sha256(f.read_bytes()).hexdigest()] for f in part.files],
        "installed": [[str(c.file), c.line, c.name, c.source, str(t)] for c, t in part.installed],
        "variables": [part.variables.root_values(r, os.environ) for r in part.roots],
        # as Checkov sees it once imported (import_checkov sets the offline defaults)
        "environment": {k: v for k, v in sorted({**compat_checkov.OFFLINE_ENV, **os.environ}.items())
                        if k.startswith(_ENVIRONMENT)},
    }


def _entry_key(part: TerraformSource, check_ids: set[str], prefix: str) -> str | None:
    """The cache key of one root module's result (None: no cache, or a value a key cannot hold)."""
    if scan_cache.directory() is None:
        return None
    try:
        return scan_cache.key("terraform-root", _root_inputs(part, check_ids, prefix))
    except (TypeError, ValueError):  # judged, not cached
        return None


def _combined(parts: list[CheckovResult]) -> CheckovResult:
    if len(parts) == 1:
        return parts[0]
    uncertain = any(p.certain_findings is not None for p in parts)
    return CheckovResult(
        findings=[f for p in parts for f in p.findings], resources=[r for p in parts for r in p.resources],
        suppressions=list(dict.fromkeys(s for p in parts for s in p.suppressions)),
        unknown={a: u for p in parts for a, u in p.unknown.items()},
        certain_findings=[f for p in parts for f in (p.findings if p.certain_findings is None else p.certain_findings)]
        if uncertain else None,
        certain_resources=[r for p in parts for r in (p.resources if p.certain_resources is None else p.certain_resources)]
        if uncertain else None,
        uncertain=tuple(sorted(a for p in parts for a in p.uncertain)))


@dataclass(frozen=True)
class _Block:
    """One rendered resource or module block of a Checkov run, in the user's file."""

    address: str
    file: Path
    lines: tuple[int, int]
    exists: str | None  # "no", "maybe" or None (certainly, as far as count/for_each go)
    unknown: dict[str, str]
    calls: str = ""  # a module block: the address prefix of what it creates (`module.a.module.b`)


@dataclass(frozen=True)
class _World:
    findings: list[Finding]
    resources: list[Resource]
    blocks: list[_Block]
    suppressions: list[Suppression]


def _agreed(checkov: str | None, ours: str | None) -> str | None:
    """A block's existence from Checkov's rendering of its count / for_each and from brokerguard's own
    evaluation of it (None: cannot tell): where they disagree, the block may or may not be created."""
    if ours is None or checkov == "maybe":
        return checkov
    return checkov if (checkov == "no") == (ours == "no") else "maybe"


def _blocks(definitions: dict, expressions: Expressions, stage: Staged, prefix: str,
            expanded: dict[tuple[str, str], dict[str, Text | None]], expander: Expander) -> list[_Block]:
    out = []
    for key, definition in definitions.items():
        staged_file = str(Path(key.file_path).resolve())
        scope = expander.scope(str(Path(staged_file).parent), compat_checkov.module_call(key))
        real = stage.real(key.file_path)
        for kind in ("resource", "module"):
            for block in definition.get(kind, []):
                for rtype, named in block.items():
                    entries = {rtype: named} if kind == "module" else named
                    for name, conf in entries.items():
                        if not isinstance(conf, dict):
                            continue
                        parsed_as = (staged_file, "module" if kind == "module" else rtype, name.split("[")[0])
                        address = conf.get("__address__", f"{rtype}.{name}")
                        as_written = expressions.attributes.get(parsed_as, {})
                        exists = _agreed(existence(conf), written_existence(as_written, scope))
                        written = {} if kind == "module" else {
                            **unknown_attributes(conf, as_written),
                            **disagreements(conf, as_written, address, scope),
                            **expanded.get((staged_file, conf.get("__address__", "")), {})}
                        unknown = {a: why for a, why in written.items() if why is not None}
                        cut = address.rfind(".") + 1
                        calls = f"{prefix}{address[:cut]}module.{address[cut:]}" if kind == "module" else ""
                        out.append(_Block(address=prefix + address, file=real, exists=exists, unknown=unknown,
                                          lines=(int(conf.get("__start_line__", 0)), int(conf.get("__end_line__", 0))),
                                          calls=calls))
    return out


def _inherited(blocks: list[_Block]) -> list[_Block]:
    """What a module call with count 0 (or an unknown count) holds is absent (or maybe there) with it:
    Checkov renders it anyway, and reads the module's files on their own once the call is left out."""
    calls = [(b.calls, b.exists) for b in blocks if b.calls and b.exists]
    out = []
    for b in blocks:
        states = {b.exists} | {state for prefix, state in calls if b.address.startswith((prefix + ".", prefix + "["))}
        out.append(replace(b, exists="no" if "no" in states else "maybe" if "maybe" in states else None))
    return out


def _run_world(source: TerraformSource, check_ids: set[str], blank: dict[Path, list[tuple[int, int]]],
               prefix: str) -> _World:
    """Checkov on a staged copy of the module tree, once per root module (addresses prefixed with prefix)."""
    findings: list[Finding] = []
    resources: list[Resource] = []
    blocks: list[_Block] = []
    read: set[tuple[str, str]] = set()
    with staged(source, blank) as stage, merging() as overridden, recording() as expressions:
        shown = functools.lru_cache(maxsize=None)(lambda p: display_path(stage.real(p)))  # per file, not per block
        for real_root, root in zip(source.roots, stage.roots, strict=True):
            expanded: dict[tuple[str, str], dict[str, Text | None]] = {}
            expander = Expander(expressions.modules, {str(root.resolve()): _root_values(root)})

            def prepare(definitions: dict, expander: Expander = expander, expanded: dict = expanded) -> None:
                # Before the checks run: dynamic blocks expanded, provider default_tags from the resolved graph.
                expanded.update(expander.expand(definitions))
                resource_conf.set_provider_tags(_provider_default_tags(definitions))

            runner = compat_checkov.terraform_runner(prepare)
            report = runner.run(root_folder=str(root), runner_filter=compat_checkov.runner_filter(source.framework, check_ids),
                                collect_skip_comments=False)  # inline skips are listed, never applied (suppressions.py)
            _refuse_skipped(report, check_ids, str(real_root))
            if report.parsing_errors:
                first = stage.real(sorted(report.parsing_errors)[0])
                raise InputError(describe_parse_error(first), hint=PARSE_HINT)
            definitions = runner.definitions or {}
            for r in _resources(definitions, shown):
                resources.append(replace(r, address=prefix + r.address,
                                         references=frozenset(prefix + a for a in r.references),
                                         # each root configures its own providers
                                         provider=prefix + r.provider if r.provider else None))

            def locate(rec: Any) -> tuple[str, int, str]:
                return (shown(rec.file_abs_path),
                        rec.file_line_range[0] if rec.file_line_range else 0, "")

            findings += [replace(f, resource=prefix + f.resource) if f.resource != "(stack)" else f
                         for f in _findings(report, check_ids, locate)]
            blocks += _blocks(definitions, expressions, stage, prefix, expanded, expander)
            read.update((str(stage.real(key.file_path)), display_path(stage.real(key.file_path))) for key in definitions)
        findings = _overridden(findings, overridden, stage)
    return _World(findings=findings, resources=resources, blocks=blocks, suppressions=in_files(sorted(read)))


def _root_values(root: Path) -> dict[str, Any]:
    """The values a staged root module gets from outside its defaults (terraform_stage merged them)."""
    merged = root / MERGED_VARIABLES
    return json.loads(merged.read_text(encoding="utf-8")) if merged.is_file() else {}


def _overridden(findings: list[Finding], where: Merged, stage: Staged) -> list[Finding]:
    """A failing finding on a block that override files changed names them too; it keeps the original
    block's file and line, where Terraform's merged block is."""
    notes = {(display_path(stage.real(original)), line): ", ".join(f"{display_path(stage.real(p))}:{n}" for p, n in blocks)
             for (original, line), blocks in where.items()}
    out = []
    for f in findings:
        note = notes.get((f.file, f.line))
        if note and not f.passed:
            f = replace(f, message=Text.join(" ", [f.message, Text(f"(overridden by {note})", f"（由 {note} 覆寫）")]))
        out.append(f)
    return out


def _blank(blocks: list[_Block], states: set[str]) -> dict[Path, list[tuple[int, int]]]:
    """Line ranges of the blocks to leave out: every instance of a block must agree that it is absent,
    else (a module called twice with different counts) it is only maybe there."""
    by_block: dict[tuple[Path, tuple[int, int]], set[str | None]] = {}
    for b in blocks:
        by_block.setdefault((b.file, b.lines), set()).add(b.exists)
    out: dict[Path, list[tuple[int, int]]] = {}
    for (file, lines), seen in by_block.items():
        state = "no" if seen == {"no"} else "maybe" if seen & {"no", "maybe"} else None
        if state in states:
            out.setdefault(file, []).append(lines)
    return out


def _run_terraform(source: TerraformSource, check_ids: set[str], prefix: str) -> CheckovResult:
    """A Terraform tree as Terraform would create it.

    A first run renders the tree; blocks whose count is 0 or for_each empty are then left out. Blocks
    whose count cannot be known may or may not be created: exposures count when they may be (the run
    with them), protections only when they certainly are (a second run without them); a finding
    passes only when it passes in both.
    """
    first = _run_world(source, check_ids, {}, prefix)
    blocks = _inherited(first.blocks)
    absent = _blank(blocks, {"no"})
    maybe = _blank(blocks, {"maybe"})
    may = _run_world(source, check_ids, absent, prefix) if absent else first
    uncertain = {b.address for b in may.blocks if b.lines in maybe.get(b.file, ())}
    certain = None
    if maybe:
        both = {f: absent.get(f, []) + maybe.get(f, []) for f in set(absent) | set(maybe)}
        certain = _run_world(source, check_ids, both, prefix)
    unknown = {b.address: b.unknown for b in may.blocks if b.unknown}
    return CheckovResult(findings=may.findings, resources=may.resources, suppressions=may.suppressions, unknown=unknown,
                         certain_findings=certain.findings if certain else None,
                         certain_resources=certain.resources if certain else None,
                         uncertain=tuple(sorted(uncertain)))


def _run_plan(source: PlanSource, check_ids: set[str]) -> CheckovResult:
    """Checkov's terraform_plan runner on a plan file, or on a translated source written to one."""
    resource_conf.set_provider_tags({})  # a plan's tags_all already holds the provider's default tags
    with tempfile.TemporaryDirectory(prefix="brokerguard-plan-") as tmp:
        plan_file = source.plan_file
        if plan_file is None:
            plan_file = Path(tmp) / "plan.json"
            plan_file.write_text(json.dumps(source.plan), encoding="utf-8")
        try:
            with compat_checkov.plan_parse_errors_raise():
                report = compat_checkov.plan_runner().run(
                    root_folder=None, files=[str(plan_file)],
                    runner_filter=compat_checkov.runner_filter("terraform_plan", check_ids), collect_skip_comments=False)
        except compat_checkov.UnreadablePlanError as exc:
            raise InputError(f"{source.root}: Checkov cannot read this plan ({exc})") from None
    _refuse_skipped(report, check_ids, str(source.root))
    if report.parsing_errors:
        raise InputError(f"{source.root}: Checkov could not read this plan")
    fallback = (display_path(source.root), 0, "")
    findings = _findings(report, check_ids, lambda rec: source.locations.get(rec.resource, fallback))
    return CheckovResult(findings=findings, resources=list(source.resources), suppressions=[])
