"""CloudFormation inputs, recognised by content: a template (JSON or YAML), a directory of templates,
or a CDK cloud assembly (cdk.out with manifest.json). Each becomes a PlanSource judged by the same
checks as Terraform. Conditions nobody can decide before deployment make several worlds, all judged
(brokerguard.scan): a protection counts only when every world has it, an exposure when any has it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from brokerguard.errors import InputError
from brokerguard.providers.cloudformation import template as tpl
from brokerguard.providers.cloudformation.stack import STACK_TYPE, BranchError, StackEval, World, nested_template
from brokerguard.providers.cloudformation.translate import translate
from brokerguard.providers.plan import PlanSource, load_json

MAX_WORLDS = 16  # 4 undecidable conditions; more is refused, naming them
MAX_TEMPLATES = 500
ASSEMBLY_MANIFEST = "manifest.json"
SKIPPED_DIRS = {"node_modules", ".git", ".aws-sam", "__pycache__"}

Roots = list[tuple[tpl.Template, dict[str, Any]]]


def read_parameters(path: Path) -> dict[str, Any]:
    """`--parameters FILE`: the AWS CLI's [{"ParameterKey": ..., "ParameterValue": ...}] list."""
    doc, _ = load_json(path, "a parameters file")
    if isinstance(doc, dict) and isinstance(doc.get("Parameters"), dict):  # CodePipeline's template configuration
        doc = [{"ParameterKey": k, "ParameterValue": v} for k, v in doc["Parameters"].items()]
    if not isinstance(doc, list):
        raise InputError(f'{path}: a parameters file is a JSON list of {{"ParameterKey": ..., "ParameterValue": ...}}')
    out: dict[str, Any] = {}
    for i, item in enumerate(doc):
        if not isinstance(item, dict) or not isinstance(item.get("ParameterKey"), str):
            raise InputError(f"{path}: item {i + 1} has no ParameterKey")
        if item.get("UsePreviousValue"):
            raise InputError(f"{path}: {item['ParameterKey']}: UsePreviousValue depends on the deployed stack; give the value")
        if "ParameterValue" not in item or not isinstance(item["ParameterValue"], (str, int, float, bool)):
            raise InputError(f"{path}: {item['ParameterKey']}: ParameterValue must be a string")
        out[item["ParameterKey"]] = str(item["ParameterValue"])
    return out


def is_assembly(path: Path) -> bool:
    manifest = path / ASSEMBLY_MANIFEST
    if not manifest.is_file():
        return False
    try:
        doc = json.loads(manifest.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return True  # refused with the reason by open_assembly
    return isinstance(doc, dict) and "artifacts" in doc


def _walk(root: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS and not d.startswith("."))
        found += [Path(dirpath) / f for f in sorted(filenames) if f.lower().endswith(tpl.TEMPLATE_SUFFIXES)]
        if len(found) > MAX_TEMPLATES:
            raise InputError(f"{root}: more than {MAX_TEMPLATES} template files; give the templates to scan")
    return found


def templates_in(root: Path) -> list[tpl.Template]:
    """Every CloudFormation template under a directory. A file that says it is one but cannot be read is an
    error; other YAML or JSON (a buildspec, package.json) is not infrastructure and is left alone."""
    out = []
    for path in _walk(root):
        text = tpl.read_text(path)
        try:
            doc, lines = tpl.parse(path, text)
        except InputError:
            if "AWSTemplateFormatVersion" in text or "AWS::" in text:
                raise
            continue
        if tpl.is_template(doc):
            out.append(tpl.load(path, doc, lines))
    return out


def _nested_paths(t: tpl.Template, given: dict[str, Any]) -> set[Path]:
    """Templates this one's nested stacks name (TemplateURL as evaluated with the parameters' defaults,
    or a CDK asset path); one that cannot be found here is reported when the stack is evaluated."""
    found: set[Path] = set()
    ev = StackEval(t, "", given, World(decided={}))
    for logical, res in t.doc["Resources"].items():
        if res.get("Type") != STACK_TYPE:
            continue
        try:
            url = ev.resolve((res.get("Properties") or {}).get("TemplateURL"), f"{logical}.TemplateURL")
            found.add(nested_template(t.path, logical, url, res.get("Metadata")).resolve())
        except (InputError, BranchError):
            continue
    return found


def _roots(templates: list[tpl.Template], parameters: dict[str, Any]) -> Roots:
    """Templates no other template nests, each with the parameters it declares."""
    try:
        nested = {p for t in templates for p in _nested_paths(t, {})}
    except (TypeError, AttributeError, KeyError, ValueError, IndexError):
        nested = set()  # the evaluation proper names the problem
    roots = [t for t in templates if t.path.resolve() not in nested]
    if not roots:
        raise InputError(f"{templates[0].path}: circular reference: every template is a nested stack of another")
    declared = {name for t in roots for name in (t.doc.get("Parameters") or {})}
    missing = sorted(set(parameters) - declared)
    if missing:
        raise InputError(f"--parameters: {', '.join(missing)} is declared by no template scanned")
    return [(t, {k: v for k, v in parameters.items() if k in (t.doc.get("Parameters") or {})}) for t in roots]


def worlds(roots: Roots) -> list[World]:
    """Every way the undecidable conditions the templates consult could turn out (each decided lazily,
    when a resource, property or output first needs it)."""
    pending: list[dict] = [{}]
    done: list[World] = []
    while pending:
        decided = pending.pop(0)
        world = World(decided=decided)
        try:
            for t, given in roots:
                StackEval(t, "", given, world).evaluate()
        except BranchError as branch:
            if len(done) + len(pending) + 2 > MAX_WORLDS:
                names = sorted({f"{s}{c}" for s, c in decided} | {f"{branch.key[0]}{branch.key[1]}"})
                where = roots[0][0].path
                raise InputError(
                    f"{where}: more than {MAX_WORLDS} combinations of conditions cannot be decided "
                    f"before deployment ({', '.join(names)}); give their parameters with --parameters"
                ) from None
            pending += [{**decided, branch.key: True}, {**decided, branch.key: False}]
            continue
        done.append(world)
    return done


def _describe(decided: dict) -> str:
    return ", ".join(f"{s}{c}={'true' if v else 'false'}" for (s, c), v in sorted(decided.items()))


def from_roots(root: Path, kind: str, roots: Roots) -> PlanSource:
    try:
        return _from_roots(root, kind, roots)
    except (TypeError, AttributeError, KeyError, ValueError, IndexError) as exc:
        # A shape no rule above foresaw (a property of the wrong kind deep in a resource): the template
        # cannot be read as CloudFormation would deploy it, so it is refused, never judged in part.
        raise InputError(
            f"{root}: a value of an unexpected shape cannot be read ({type(exc).__name__}: {' '.join(str(exc).split())[:160]})"
        ) from None


def _from_roots(root: Path, kind: str, roots: Roots) -> PlanSource:
    found = worlds(roots)
    every = list(dict.fromkeys((r.key, r.type) for w in found for r in w.resources))
    sources: list[PlanSource] = []
    seen: set[str] = set()
    for world in found:
        t = translate(world.resources, every)
        fingerprint = json.dumps([t.plan, t.unknown], sort_keys=True, default=str)
        if fingerprint in seen:
            continue
        seen.add(fingerprint)
        sources.append(
            PlanSource(
                root=root,
                kind=kind,
                plan=t.plan,
                resources=tuple(t.resources),
                locations=t.locations,
                unknown=t.unknown,
                unmapped=tuple(t.unmapped),
                world=_describe(world.decided),
            )
        )
    first, *others = sources
    return PlanSource(
        root=first.root,
        kind=kind,
        plan=first.plan,
        resources=first.resources,
        locations=first.locations,
        unknown=first.unknown,
        unmapped=tuple(dict.fromkeys(u for s in sources for u in s.unmapped)),
        world=first.world,
        alternatives=tuple(others),
    )


def open_template(path: Path, doc: Any, lines: dict[str, int], parameters: dict[str, Any]) -> PlanSource:
    t = tpl.load(path, doc, lines)
    return from_roots(path, "cloudformation", _roots([t], parameters))


def open_directory(path: Path, parameters: dict[str, Any]) -> PlanSource:
    templates = templates_in(path)
    if not templates:
        raise InputError(f"{path}: no CloudFormation template found")
    return from_roots(path, "cloudformation", _roots(templates, parameters))


def open_assembly(path: Path, parameters: dict[str, Any]) -> PlanSource:
    """A CDK cloud assembly: every stack its manifest lists (nested assemblies of stages included)."""
    templates = _assembly_templates(path, depth=0)
    if not templates:
        raise InputError(f"{path / ASSEMBLY_MANIFEST}: the cloud assembly lists no CloudFormation stack")
    return from_roots(path, "cdk-assembly", _roots(templates, parameters))


def _assembly_templates(path: Path, depth: int) -> list[tpl.Template]:
    manifest = path / ASSEMBLY_MANIFEST
    doc, _ = load_json(manifest, "a cloud assembly manifest")
    artifacts = doc.get("artifacts") if isinstance(doc, dict) else None
    if not isinstance(artifacts, dict):
        raise InputError(f"{manifest}: not a CDK cloud assembly manifest (no artifacts)")
    out = []
    for name, art in sorted(artifacts.items()):
        if not isinstance(art, dict):
            raise InputError(f"{manifest}: artifact {name} is not an object")
        props = art.get("properties") or {}
        if art.get("type") == "aws:cloudformation:stack":
            file = props.get("templateFile")
            if not isinstance(file, str) or not (path / file).is_file():
                raise InputError(f"{manifest}: stack {name}: template {file!r} is not in the assembly")
            out.append(tpl.load(path / file))
        elif art.get("type") == "cdk:cloud-assembly":
            sub = props.get("directoryName")
            if not isinstance(sub, str) or not (path / sub / ASSEMBLY_MANIFEST).is_file() or depth > 5:
                raise InputError(f"{manifest}: nested assembly {name}: {sub!r} has no manifest.json")
            out += _assembly_templates(path / sub, depth + 1)
    return out
