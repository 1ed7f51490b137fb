"""The one place that touches Checkov's internals.

brokerguard runs Checkov in-process, offline, without its ~1,000 built-in checks, and changes a few
of its private behaviours (listed in PATCHED). Each was verified against the exact versions in
VERIFIED; at import this module checks those versions and that every patched attribute still
exists with the parameters it was verified with, so an upgrade fails here, once, with the list of
what to re-verify, instead of misbehaving somewhere in a scan.
"""

from __future__ import annotations

import contextlib
import copy
import importlib.machinery
import importlib.util
import inspect
import os
import re
import sys
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

VERIFIED = {"checkov": "3.3.30", "bc-python-hcl2": "0.4.3"}
# (module, attribute path, parameters it was verified with) of everything patched or called privately.
PATCHED = (
    ("checkov.terraform.graph_builder.local_graph", "TerraformLocalGraph._get_possible_vertices",
     ("self", "module_dependency_by_name_key", "block_type", "name")),
    ("checkov.terraform.runner", "Runner.check_tf_definition",
     ("self", "report", "root_folder", "runner_filter", "collect_skip_comments")),
    ("checkov.terraform.plan_utils", "parse_tf_plan", ("tf_plan_file", "out_parsing_errors")),
    # collect_skip_comments=False: inline checkov:skip comments are never applied (brokerguard/suppressions.py)
    ("checkov.terraform.runner", "Runner.run",
     ("self", "root_folder", "external_checks_dir", "files", "runner_filter", "collect_skip_comments")),
    ("checkov.terraform.plan_runner", "Runner.run",
     ("self", "root_folder", "external_checks_dir", "files", "runner_filter", "collect_skip_comments")),
    ("checkov.common.comment.enum", "COMMENT_REGEX", None),
    ("checkov.terraform.parser_utils", "hcl2", None),
    ("checkov.common.checks_infra.registry", "Registry._get_resource_types", ("check_json",)),
    ("checkov.common.checks_infra.checks_parser", "GraphCheckParser.parse_raw_check",
     ("self", "raw_check", "kwargs")),
    ("checkov.common.checks_infra.checks_parser", "GraphCheckParser.validate_check_config",
     ("self", "file_path", "raw_check")),
    # A definition key's module call chain: path (the calling file), name, foreach_idx, nested_tf_module.
    ("checkov.terraform.modules.module_objects", "TFModule", ("path", "name", "nested_tf_module", "foreach_idx")),
    ("checkov.terraform.graph_builder.variable_rendering.safe_eval_functions", "get_asteval", ()),
    ("checkov.terraform.graph_builder.variable_rendering.evaluate_terraform", "evaluate_terraform",
     ("input_str", "keep_interpolations")),
    ("checkov.cloudformation.parser.cfn_yaml", "loads", ("yaml_string", "fname", "content_type")),
    ("checkov.cloudformation.parser.cfn_yaml", "MarkedLoader.construct_mapping", ("self", "node", "deep")),
)
VERIFIED_ASTEVAL = "1.0.6"  # the interpreter state reset by _reuse_interpreter
# Set before Checkov is imported: no update check, no guideline download, no platform mapping.
OFFLINE_ENV = {"CKV_SKIP_PACKAGE_UPDATE_CHECK": "True", "BC_SKIP_MAPPING": "TRUE", "ANSI_COLORS_DISABLED": "True"}
# Checkov's packages of built-in checks: importing checkov.terraform imports every Terraform check in
# them (about a thousand modules, half of Checkov's start-up), the plan runner's YAML loader imports
# checkov.cloudformation and with it every CloudFormation check; brokerguard runs none of them.
BUILTIN_CHECK_PACKAGES = ("terraform/checks/resource", "terraform/checks/data", "terraform/checks/provider",
                          "terraform/checks/module", "cloudformation/checks/resource")


class IncompatibleCheckovError(RuntimeError):
    pass


def _assert_versions() -> None:
    found = {}
    for dist in VERIFIED:
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = "not installed"
    wrong = {d: v for d, v in found.items() if v != VERIFIED[d]}
    if wrong:
        listed = ", ".join(f"{d} {v} (verified: {VERIFIED[d]})" for d, v in wrong.items())
        raise IncompatibleCheckovError(f"brokerguard was verified with other versions: {listed}; re-verify "
                                  + "; ".join(f"{m}.{a}" for m, a, _ in PATCHED) + " in brokerguard/compat_checkov.py")


def _resolve(module: str, path: str) -> Any:
    obj: Any = importlib.import_module(module)
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _assert_patched_attributes() -> None:
    for module, path, params in PATCHED:
        try:
            target = _resolve(module, path)
        except (ImportError, AttributeError) as exc:
            raise IncompatibleCheckovError(f"{module}.{path} is gone ({exc}): re-verify brokerguard/compat_checkov.py") from None
        if params is not None:
            target = inspect.unwrap(target)
            got = tuple(inspect.signature(target).parameters)
            if got != params:
                raise IncompatibleCheckovError(f"{module}.{path} takes {got}, verified with {params}: "
                                          "re-verify brokerguard/compat_checkov.py")


def _skip_builtin_checks() -> None:
    """Put empty provider packages (aws, gcp, ...) in place before Checkov is imported, so that its
    ``from checkov.terraform.checks.resource.aws import *`` imports no check. The registries and base
    classes load as usual, and our checks register into them the same way."""
    spec = importlib.util.find_spec("checkov")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations or "checkov.terraform" in sys.modules:
        return  # not installed (the version check says so), or already imported with its checks
    top = Path(next(iter(spec.submodule_search_locations)))
    for folder in BUILTIN_CHECK_PACKAGES:
        for init in sorted((top / folder).glob("*/__init__.py")):
            name = f"checkov.{folder.replace('/', '.')}.{init.parent.name}"
            package = types.ModuleType(name)
            package.__spec__ = importlib.machinery.ModuleSpec(name, None, is_package=True)
            package.__spec__.submodule_search_locations = package.__path__ = [str(init.parent)]
            package.__all__ = []
            sys.modules.setdefault(name, package)


def _index_indexed_names() -> None:
    """Make Checkov's lookup of a reference's target linear in the tree, not quadratic.

    When a name is not a vertex, Checkov 3.3 (LocalGraph._get_possible_vertices) scans every block
    of that type for one named ``name[...]`` (a count/for_each instance), and almost every reference
    takes that path once: at 3,000 resources it was a third of the scan. This keeps the same answer
    (the first such block in the map's order) from an index, rebuilt when the map grows; the maps
    only ever gain keys, and holding each map keeps its id from being reused.
    """
    from checkov.terraform.graph_builder import local_graph

    graph_cls = local_graph.TerraformLocalGraph
    if getattr(graph_cls, "_brokerguard_indexed", False):
        return
    original = graph_cls._get_possible_vertices
    left, right = local_graph.LEFT_BRACKET_WITH_QUOTATION, local_graph.RIGHT_BRACKET_WITH_QUOTATION

    def possible_vertices(self: Any, module_key: Any, block_type: str, name: str) -> list[int]:
        block_map = self.vertices_by_module_dependency_by_name.get(module_key, {}).get(block_type, {})
        found = block_map.get(name) or block_map.get(name.replace(left, local_graph.LEFT_BRACKET)
                                                       .replace(right, local_graph.RIGHT_BRACKET))
        if found:
            return found
        cache = self.__dict__.setdefault("_brokerguard_prefix_index", {})
        entry = cache.get(id(block_map))
        if entry is None or entry[1] != len(block_map):
            index: dict[str, list[int]] = {}
            for key, indices in block_map.items():  # every "name" for which key starts with "name["
                for i, char in enumerate(key):
                    if char == "[":
                        index.setdefault(key[:i], indices)
            entry = cache[id(block_map)] = (block_map, len(block_map), index)
        return entry[2].get(name, [])

    possible_vertices.__wrapped__ = original  # type: ignore[attr-defined]
    graph_cls._get_possible_vertices = possible_vertices
    graph_cls._brokerguard_indexed = True


def _reuse_interpreter() -> None:
    """One asteval interpreter for every expression Checkov evaluates, instead of a new one each time.

    Checkov builds an Interpreter per expression (a fifth of its variable rendering at 1,000 resources),
    always over the same symbol table (SAFE_EVAL_DICT), so interpreters already share every name; what
    is an interpreter's own is reset here before each use, as its constructor sets it (asteval 1.0.6).
    The syntax tree of an expression text is kept (evaluating does not change it).
    """
    from checkov.terraform.graph_builder.variable_rendering import safe_eval_functions as safe_eval

    if metadata.version("asteval") != VERIFIED_ASTEVAL or getattr(safe_eval.get_asteval, "__wrapped__", None):
        return  # another asteval: Checkov's own way, one interpreter per expression
    original = safe_eval.get_asteval
    shared: list[Any] = []

    def get_asteval() -> Any:
        if not shared:
            shared.append(original())
            parse, parsed = shared[0].parse, {}

            def parse_once(text: str) -> Any:  # the same expression text is evaluated again and again
                if text not in parsed:
                    parsed[text] = parse(text)  # a syntax error raises, as before, and is not kept
                return parsed[text]

            shared[0].parse = parse_once
        interpreter = shared[0]
        interpreter.error, interpreter.error_msg, interpreter.expr, interpreter.retval = [], None, None, None
        interpreter._interrupt, interpreter._calldepth, interpreter.lineno, interpreter.code_text = None, 0, 0, []
        return interpreter

    get_asteval.__wrapped__ = original  # type: ignore[attr-defined]
    safe_eval.get_asteval = get_asteval


_YAML_FLOAT = re.compile(r"[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?")  # PyYAML's (YAML 1.1) float


def _remember_evaluations() -> None:
    """Checkov's renderer evaluates every attribute text of every block, and most texts come again
    (`${string}`, the same AMI, `${aws_vpc.x.id}` in each subnet): at 1,000 resources 1,974
    evaluations of 732 texts. The evaluation reads nothing but its two arguments (and a length limit
    read once from the environment at import), so its answer for a text is kept; a list or map answer
    is given as a fresh copy, which Checkov may change as it changes a fresh evaluation."""
    from checkov.terraform.graph_builder.variable_rendering import evaluate_terraform as module

    original = module.evaluate_terraform
    if getattr(original, "__wrapped__", None):
        return
    known: dict[tuple[str, bool], Any] = {}

    def evaluate_terraform(input_str: Any, keep_interpolations: bool = True) -> Any:
        if not isinstance(input_str, str):
            return original(input_str, keep_interpolations)
        key = (input_str, keep_interpolations)
        if key not in known:
            known[key] = original(input_str, keep_interpolations)
        found = known[key]
        return copy.deepcopy(found) if isinstance(found, list | dict | set) else found

    evaluate_terraform.__wrapped__ = original  # type: ignore[attr-defined]
    module.evaluate_terraform = evaluate_terraform


def _read_plans_as_json() -> None:
    """Read a one-line plan JSON (as `terraform show -json` and brokerguard's own translation write it)
    with the json module instead of Checkov's YAML loader, giving what that loader gives.

    Checkov's plan parser loads JSON through its CloudFormation YAML loader for line numbers (half of
    a Pulumi scan's judging at 1,000 resources). On one line every mapping starts and ends on line 1,
    so the same tree is built here: DictNode/ListNode/StrNode with their marks, each mapping with
    __file__, __startline__ and __endline__ added last (MarkedLoader.construct_mapping), and a number
    that YAML 1.1 does not read as a float (``1e-05``) kept as text, as PyYAML keeps it. Anything else
    (several lines, a key given twice, a tree this loader does not build the same way) goes to
    Checkov's loader, which also gives its errors.
    """
    import json

    import yaml
    from checkov.cloudformation.parser import cfn_yaml
    from checkov.common.parsers.node import DictNode, ListNode, StrNode

    if getattr(cfn_yaml.loads, "__wrapped__", None):
        return
    original = cfn_yaml.loads

    class _DuplicateKeyError(Exception):
        pass

    def loads(yaml_string: str, fname: str, content_type: Any = None) -> Any:
        text = yaml_string.strip()
        if content_type != cfn_yaml.ContentType.TFPLAN or "\n" in text or not text.startswith("{"):
            return original(yaml_string, fname, content_type)
        mark = yaml.Mark(fname, 0, 0, 0, None, None)

        def node(value: Any) -> Any:
            if isinstance(value, str):
                return StrNode(value, mark, mark)
            if isinstance(value, list):
                return ListNode([node(v) for v in value], mark, mark)
            return value

        def mapping(pairs: list[tuple[str, Any]]) -> DictNode:
            built = {}
            for key, value in pairs:
                if key in built:
                    raise _DuplicateKeyError(key)
                built[StrNode(key, mark, mark)] = node(value)
            built.update({"__file__": fname, "__startline__": 1, "__endline__": 1})
            return DictNode(built, mark, mark)

        def number(literal: str) -> Any:
            return float(literal.replace("_", "")) if _YAML_FLOAT.fullmatch(literal) else StrNode(literal, mark, mark)

        try:
            return json.loads(text, object_pairs_hook=mapping, parse_float=number)
        except (ValueError, _DuplicateKeyError):  # not plain JSON on one line: Checkov's loader decides and says why
            return original(yaml_string, fname, content_type)

    loads.__wrapped__ = original  # type: ignore[attr-defined]
    cfn_yaml.loads = loads


_imported = False


def import_checkov() -> None:
    """Import Checkov once, offline, without its built-in checks, verified and patched."""
    global _imported
    if _imported:
        return
    _assert_versions()
    for key, val in OFFLINE_ENV.items():
        os.environ.setdefault(key, val)
    _skip_builtin_checks()
    from checkov.common.bridgecrew.platform_integration import bc_integration

    _assert_patched_attributes()
    bc_integration.skip_download = True
    _index_indexed_names()
    _reuse_interpreter()
    _remember_evaluations()
    _read_plans_as_json()
    _imported = True


def runner_filter(framework: str, check_ids: set[str]) -> Any:
    import_checkov()
    from checkov.runner_filter import RunnerFilter

    return RunnerFilter(framework=[framework], checks=sorted(check_ids), show_progress_bar=False)


def terraform_runner(on_definitions: Callable[[dict], None]) -> Any:
    """Checkov's HCL runner, calling ``on_definitions`` with the parsed definitions once the graph has
    resolved them and before the checks run (provider default_tags are taken from there)."""
    import_checkov()
    from checkov.terraform.runner import Runner as HclRunner

    class Runner(HclRunner):  # type: ignore[misc, valid-type]
        def check_tf_definition(self, *args: Any, **kwargs: Any) -> None:
            on_definitions(self.definitions or {})
            super().check_tf_definition(*args, **kwargs)

    return Runner()


@dataclass(frozen=True)
class ModuleCall:
    """A module call a definition was read through: the calling file, the call's name, the instance's
    index (count) or key (for_each), and the call its calling module was itself read through."""

    file: str
    name: str
    index: int | str | None
    parent: ModuleCall | None


def module_call(key: Any) -> ModuleCall | None:
    """The module call of one of Checkov's definition keys (None for a root module's file)."""
    def convert(module: Any) -> ModuleCall | None:
        if module is None:
            return None
        return ModuleCall(file=str(Path(module.path).resolve()), name=module.name, index=module.foreach_idx,
                          parent=convert(module.nested_tf_module))
    return convert(getattr(key, "tf_source_modules", None))


def plan_runner() -> Any:
    import_checkov()
    from checkov.terraform.plan_runner import Runner

    return Runner()


class UnreadablePlanError(Exception):
    """Raised from inside Checkov's plan parser, so that only its failures become input errors."""


@contextlib.contextmanager
def plan_parse_errors_raise() -> Iterator[None]:
    """Checkov's plan parser indexes the document without checking its shape: whatever it raises
    becomes UnreadablePlanError (one line), so that a plan it cannot read is an input error, not a crash."""
    import_checkov()
    from checkov.terraform import plan_utils

    real = plan_utils.parse_tf_plan

    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return real(*args, **kwargs)
        except Exception as exc:
            raise UnreadablePlanError(f"{type(exc).__name__}: {exc}".splitlines()[0][:200]) from exc

    plan_utils.parse_tf_plan = guarded
    try:
        yield
    finally:
        plan_utils.parse_tf_plan = real


@contextlib.contextmanager
def hcl_parser(make: Callable[[Any], Any]) -> Iterator[None]:
    """Within this block Checkov parses HCL files with ``make(parser)``, where ``parser`` is what it used
    before (the ``hcl2`` module, or an outer block's stand-in: the parse cache, then a recorder)."""
    import_checkov()
    from checkov.terraform import parser_utils

    previous = parser_utils.hcl2
    parser_utils.hcl2 = make(previous)
    try:
        yield
    finally:
        parser_utils.hcl2 = previous


def add_graph_check(raw: dict[str, Any], path: str) -> Any:
    """Parse one YAML graph check (already read) into Checkov's Terraform graph registry, which HCL and
    plan scans share, and return it. Checkov's own loader skips a check it cannot parse with a log line;
    here that is an error."""
    import_checkov()
    from checkov.common.checks_infra.registry import get_graph_checks_registry

    registry = get_graph_checks_registry("terraform")
    existing = next((c for c in registry.checks if c.id == raw["metadata"]["id"]), None)
    if existing is not None:
        return existing
    if not registry.parser.validate_check_config(file_path=path, raw_check=raw):
        raise ValueError(f"{path}: not a Checkov graph check (metadata.id, metadata.name, metadata.category, definition)")
    try:
        check = registry.parser.parse_raw_check(raw, resources_types=registry._get_resource_types(raw), check_path=path)
    except Exception as exc:  # noqa: BLE001 (whatever the parser raises, the check is not loaded)
        raise ValueError(f"{path}: Checkov cannot parse this graph check ({type(exc).__name__}: {exc})") from None
    registry.checks.append(check)
    return check


def resource_types_of_python_checks() -> dict[str, set[str]]:
    """Check id -> types, as Checkov's resource registry holds them (what will really run)."""
    import_checkov()
    from checkov.terraform.checks.resource.registry import resource_registry

    out: dict[str, set[str]] = {}
    for rtype, checks in resource_registry.checks.items():
        for check in checks:
            out.setdefault(check.id, set()).add(rtype)
    return out


def cached_parse_version() -> str:
    return metadata.version("bc-python-hcl2")
