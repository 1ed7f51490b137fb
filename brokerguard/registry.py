"""Every check and stack rule brokerguard has, found once per process by walking policies/.

Python checks are imported (instantiating one registers it in Checkov's resource registry), YAML
graph checks are loaded into Checkov's graph registry, stack rules are imported. Docs, reports,
SARIF rules, catalog validation and scan-aws coverage all read this one registry. A file whose
name is not a policy id, two policies with one id, or a YAML check Checkov would not load is an
error at load: a check that silently did not register would be a check that silently passes.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brokerguard import schema
from brokerguard.errors import InputError
from brokerguard.policies import checkov as checks_package
from brokerguard.policies import stack_rules as rules_package
from brokerguard.policies.meta import METADATA_SUFFIX, Meta, guideline, parse_meta, policy_id
from brokerguard.policies.stack_rule import StackRule

POLICIES_DIR = Path(checks_package.__file__).resolve().parent.parent
PYTHON_CHECK, GRAPH_CHECK, STACK_RULE = "Checkov Python check", "Checkov YAML graph check", "stack rule"


@dataclass(frozen=True)
class Policy:
    """One check or stack rule: its id, kind, declaration, file, and the resource types it reads
    (``None``: any type)."""

    id: str
    kind: str
    meta: Meta
    source: str  # e.g. policies/checkov/CKV_TWB_003_core_db_not_public.py
    types: frozenset[str] | None

    @property
    def guideline(self) -> str:
        return guideline(self.id)


@dataclass(frozen=True)
class Registry:
    policies: dict[str, Policy]
    rules: dict[str, StackRule]  # the stack rule objects, by id

    def __contains__(self, pid: object) -> bool:
        return pid in self.policies

    def __getitem__(self, pid: str) -> Policy:
        return self.policies[pid]

    def __iter__(self) -> Iterator[Policy]:
        return iter(self.policies.values())


def _add(found: dict[str, Policy], policy: Policy) -> None:
    if policy.id in found:
        raise InputError(f"{policy.source}: id {policy.id} is also the id of {found[policy.id].source}")
    found[policy.id] = policy


def _graph_types(check: Any) -> set[str]:
    """Types a graph check's conditions look at. A `filter` condition only narrows (Checkov gives it every
    type there is), and a composite's own list is the union of its parts', filters included: skip both."""
    subs = [s for s in check.sub_checks or [] if "FILTER" not in str(s.type)]
    if check.sub_checks:
        return set().union(*(_graph_types(s) for s in subs))
    return set(check.resource_types or []) | set(check.connected_resources_types or [])


def _files(package: Any, pattern: str) -> list[Path]:
    """The policy files of a package, in every folder of its path (a test may add one), by name."""
    found = [p for folder in package.__path__ for p in Path(folder).glob(pattern) if p.name != "__init__.py"]
    return sorted(found, key=lambda p: p.name)


def _relative(path: Path) -> str:
    path = path.resolve()
    return f"policies/{path.relative_to(POLICIES_DIR)}" if path.is_relative_to(POLICIES_DIR) else str(path)


def _load_python_checks(found: dict[str, Policy]) -> None:
    from brokerguard.policies.checkov_check import ResourceCheck

    for path in _files(checks_package, "*.py"):
        module = importlib.import_module(f"{checks_package.__name__}.{path.stem}")
        check = getattr(module, "check", None)
        if not isinstance(check, ResourceCheck):
            raise InputError(f"{_relative(path)}: a check file ends with `check = TheCheck()` (a ResourceCheck)")
        _add(found, Policy(check.id, PYTHON_CHECK, check.meta, _relative(path), frozenset(check.meta.types or ())))


def _load_graph_checks(found: dict[str, Policy]) -> None:
    """A YAML check is Checkov's graph check (whose metadata.name is the English name, so that it also
    runs in plain Checkov) plus a ``brokerguard:`` block with the rest of its metadata."""
    from brokerguard.compat_checkov import add_graph_check

    for path in _files(checks_package, "*.yaml"):
        if path.name.endswith(METADATA_SUFFIX):
            continue
        where = _relative(path)
        doc = schema.mapping(schema.load_yaml(path), where, {"metadata", "brokerguard", "scope", "definition"})
        pid = policy_id(path.name)
        metadata = schema.mapping(doc["metadata"], f"{where}: metadata", {"id", "name", "category"})
        if metadata["id"] != pid:
            raise InputError(f"{where}: metadata.id {metadata['id']!r} is not the file's id {pid}")
        block = schema.mapping(doc["brokerguard"], f"{where}: brokerguard", set(), {"name", "description", "fix",
                                                                                 "severity", "attributes"})
        name = schema.mapping(block.get("name"), f"{where}: brokerguard.name", {"zh-TW"})
        meta = parse_meta({**block, "name": {"en": metadata["name"], **name}}, f"{where}: brokerguard")
        raw = {k: v for k, v in doc.items() if k != "brokerguard"}
        raw["metadata"] = {**metadata, "guideline": guideline(pid)}
        check = add_graph_check(raw, where)
        _add(found, Policy(pid, GRAPH_CHECK, meta, where, frozenset(_graph_types(check))))


def _load_stack_rules(found: dict[str, Policy]) -> dict[str, StackRule]:
    rules = {}
    for path in _files(rules_package, "*.py"):
        module = importlib.import_module(f"{rules_package.__name__}.{path.stem}")
        rule = getattr(module, "rule", None)
        if not isinstance(rule, StackRule):
            raise InputError(f"{_relative(path)}: a stack rule file ends with `rule = TheRule()` (a StackRule)")
        types = None if rule.meta.types is None else frozenset(rule.meta.types)
        _add(found, Policy(rule.id, STACK_RULE, rule.meta, _relative(path), types))
        rules[rule.id] = rule
    return rules


def _check_file_names() -> None:
    for folder in (*checks_package.__path__, *rules_package.__path__):
        for path in Path(folder).iterdir():
            if path.suffix in (".py", ".yaml", ".yml", ".json") and path.name != "__init__.py":
                try:
                    policy_id(path.name)
                except ValueError as exc:
                    raise InputError(str(exc)) from None
            if path.suffix in (".yml", ".json"):
                raise InputError(f"{_relative(path)}: graph checks are .yaml files")
            code = path.with_name(path.name.removesuffix(METADATA_SUFFIX) + ".py")
            if path.name.endswith(METADATA_SUFFIX) and not code.is_file():
                raise InputError(f"{_relative(path)}: metadata of no check ({code.name} does not exist)")


@functools.cache
def register_checks() -> Registry:
    """The registry, built once per process, with every check in Checkov's registries (imports Checkov)."""
    from brokerguard import compat_checkov, scan_cache

    compat_checkov.import_checkov()  # before any check imports Checkov's base classes
    _check_file_names()
    found: dict[str, Policy] = {}
    try:
        _load_python_checks(found)
        _load_graph_checks(found)
        rules = _load_stack_rules(found)
    except ValueError as exc:  # a Meta or file name that is not what it must be
        raise InputError(str(exc)) from None
    built = Registry(dict(sorted(found.items())), rules)
    if scan_cache.directory() is not None:  # a scan with --cache-dir: the next one may need no Checkov
        scan_cache.write("registry", scan_cache.key("registry", []), built.policies)
    return built


_declared: list[Registry] = []  # the registry as the scan cache held it, when Checkov was not needed


def load() -> Registry:
    """The registry: what each policy declares, and the stack rules. Checkov is not imported when the
    scan cache holds the declarations this very code made (scan_cache keys them by it), so that a scan
    whose root modules are all cached runs without Checkov."""
    from brokerguard import scan_cache

    if register_checks.cache_info().currsize or (not _declared and scan_cache.directory() is None):
        return register_checks()
    if not _declared:
        cached = scan_cache.read("registry", scan_cache.key("registry", []))
        if not isinstance(cached, dict) or not all(isinstance(p, Policy) and p.id == k for k, p in cached.items()):
            return register_checks()
        rules: dict[str, Policy] = {}
        objects = _load_stack_rules(rules)
        if any(cached.get(pid) != policy for pid, policy in rules.items()):
            return register_checks()
        _declared.append(Registry(cached, objects))
    return _declared[0]
