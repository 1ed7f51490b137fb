"""Evaluating a template as CloudFormation would deploy it: parameters (defaults, given values, SSM
types unknown), pseudo parameters, Mappings, Conditions, the intrinsic functions, and nested stacks.

A condition that depends on a value nobody knows raises BranchError: the caller evaluates the template
once with it true and once false (see source.worlds), so that a protection under it never counts
while an exposure under it always does."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from brokerguard.errors import InputError
from brokerguard.providers.cloudformation import template as tpl
from brokerguard.providers.cloudformation.values import NO_VALUE, Ref, ResourceKey, Symbol, Text, Unknown, refs_in, unknown_in

STACK_TYPE = "AWS::CloudFormation::Stack"
MAX_NESTING = 10  # CloudFormation's own nesting is bounded; a template that includes itself is circular
PSEUDO = {
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::Region": Symbol("AWS::Region"),
    "AWS::AccountId": Symbol("AWS::AccountId"),
    "AWS::NotificationARNs": Unknown("AWS::NotificationARNs is known at deploy time"),
}
PER_STACK = ("AWS::StackName", "AWS::StackId")  # a nested stack has its own
DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:(ssm|ssm-secure|secretsmanager):[^}]*\}\}")
SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
FUNCTIONS = (
    "Ref",
    "Condition",
    "Fn::GetAtt",
    "Fn::Sub",
    "Fn::If",
    "Fn::Join",
    "Fn::Select",
    "Fn::Split",
    "Fn::FindInMap",
    "Fn::Equals",
    "Fn::Not",
    "Fn::And",
    "Fn::Or",
    "Fn::ImportValue",
    "Fn::Base64",
    "Fn::Cidr",
    "Fn::GetAZs",
)


class BranchError(Exception):
    """A condition that cannot be decided: evaluate again with it decided both ways."""

    def __init__(self, key: tuple[str, str]) -> None:
        super().__init__(f"{key[0]}{key[1]}")
        self.key = key


@dataclass
class Evaluated:
    key: ResourceKey
    type: str
    properties: dict[str, Any]
    file: Path
    line: int
    depends: set[ResourceKey]
    stack: str  # nested stack path ("" for a root template), as the address prefix when names clash


@dataclass
class World:
    """One way the undecidable conditions could turn out, and what it deploys."""

    decided: dict[tuple[str, str], bool]
    resources: list[Evaluated] = field(default_factory=list)


def _where(path: Path, logical: str = "") -> str:
    return f"{path}: {logical}: " if logical else f"{path}: "


class StackEval:
    def __init__(
        self, template: tpl.Template, stack: str, given: dict[str, Any], world: World, chain: tuple[Path, ...] = ()
    ) -> None:
        self.t, self.stack, self.world = template, stack, world
        self.doc = template.doc
        self.resources: dict[str, dict] = self.doc["Resources"]
        self.chain = chain + (template.path.resolve(),)
        self.params = self._parameters(given)
        self._conditions: dict[str, bool] = {}
        self._busy: set[str] = set()
        self._outputs: dict[str, Any] = {}
        self._children: dict[str, StackEval] = {}

    # --- parameters, conditions ---------------------------------------------------------------------

    def _parameters(self, given: dict[str, Any]) -> dict[str, Any]:
        declared = self.doc.get("Parameters") or {}
        for name in given:
            if name not in declared:
                raise InputError(f"{_where(self.t.path)}parameter {name} is given a value but the template does not declare it")
        out = {}
        for name, spec in declared.items():
            spec = spec if isinstance(spec, dict) else {}
            ptype = str(spec.get("Type", "String"))
            if ptype.startswith("AWS::SSM::Parameter::Value"):
                out[name] = Unknown(f"parameter {name} is read from SSM Parameter Store at deploy time")
                continue
            if name in given:
                raw = given[name]
            elif "Default" in spec:
                raw = spec["Default"]
            else:
                out[name] = Unknown(f"parameter {name} has no default and no value was given (--parameters)")
                continue
            allowed = spec.get("AllowedValues")
            if isinstance(raw, (str, int, float)) and isinstance(allowed, list) and str(raw) not in map(str, allowed):
                raise InputError(f"{_where(self.t.path)}parameter {name}: {raw!r} is not one of its AllowedValues")
            out[name] = _typed(ptype, raw)
        return out

    def condition(self, name: Any) -> bool:
        conditions = self.doc.get("Conditions") or {}
        if not isinstance(name, str) or name not in conditions:
            raise InputError(f"{_where(self.t.path)}condition {name!r} is not defined in Conditions")
        if name in self._conditions:
            return self._conditions[name]
        key = (self.stack, name)
        if key in self.world.decided:
            return self.world.decided[key]
        if name in self._busy:
            raise InputError(f"{_where(self.t.path)}circular reference: condition {name} depends on itself")
        self._busy.add(name)
        try:
            got = self._truth(self.resolve(conditions[name], f"Conditions.{name}"), f"condition {name}")
        finally:
            self._busy.discard(name)
        if got is None:
            raise BranchError(key)
        self._conditions[name] = got
        return got

    def _truth(self, value: Any, what: str) -> bool | None:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if isinstance(value, (Unknown, Ref, Text, Symbol)):
            return None
        raise InputError(f"{_where(self.t.path)}{what} is not true or false ({value!r})")

    # --- intrinsic functions ----------------------------------------------------------------------

    def resolve(self, raw: Any, where: str) -> Any:
        if isinstance(raw, list):
            out = [self.resolve(v, where) for v in raw]
            return [v for v in out if v is not NO_VALUE]
        if isinstance(raw, str):
            return (
                Unknown(f"{where}: a dynamic reference ({m.group(0)}) is resolved at deploy time")
                if (m := DYNAMIC_REFERENCE.search(raw))
                else raw
            )
        if not isinstance(raw, dict):
            return raw
        if len(raw) == 1:
            ((fn, arg),) = raw.items()
            if fn in FUNCTIONS:
                return self._function(fn, arg, where)
            if isinstance(fn, str) and fn.startswith("Fn::"):
                if fn in ("Fn::Transform", "Fn::Length", "Fn::ToJsonString", "Fn::ForEach"):
                    raise InputError(
                        f"{_where(self.t.path)}{where}: {fn} needs a macro CloudFormation expands at deploy "
                        f"time; scan the expanded template (`sam build` / `cdk synth` output)"
                    )
                raise InputError(f"{_where(self.t.path)}{where}: unknown intrinsic function {fn}")
        out = {}
        for k, v in raw.items():
            got = self.resolve(v, f"{where}.{k}")
            if got is not NO_VALUE:
                out[k] = got
        return out

    def _args(self, fn: str, arg: Any, n: int | tuple[int, ...], where: str) -> list:
        counts = (n,) if isinstance(n, int) else n
        if not isinstance(arg, list) or len(arg) not in counts:
            raise InputError(f"{_where(self.t.path)}{where}: {fn} takes a list of {' or '.join(map(str, counts))} items")
        return arg

    def _function(self, fn: str, arg: Any, where: str) -> Any:
        if fn == "Ref":
            return self.ref(arg, where)
        if fn == "Condition":
            return self.condition(arg)
        if fn == "Fn::GetAtt":
            parts = arg.split(".", 1) if isinstance(arg, str) else arg
            logical, attribute = self._args(fn, parts, 2, where)
            return self.get_att(logical, self.resolve(attribute, where), where)
        if fn == "Fn::If":
            cond, yes, no = self._args(fn, arg, 3, where)
            return self.resolve(yes if self.condition(cond) else no, where)
        if fn == "Fn::Equals":
            a, b = (self.resolve(x, where) for x in self._args(fn, arg, 2, where))
            if unknown_in([a, b]) or refs_in([a, b]) or any(isinstance(x, (Text, Symbol)) for x in (a, b)):
                return (
                    True
                    if a == b and not unknown_in([a, b])
                    else Unknown(f"{where}: compares a value not known before deployment")
                )
            return str(a) == str(b) if not isinstance(a, (list, dict)) else a == b
        if fn in ("Fn::Not", "Fn::And", "Fn::Or"):
            items = self._args(fn, arg, 1, where) if fn == "Fn::Not" else self._args(fn, arg, tuple(range(2, 11)), where)
            truths = [self._truth(self.resolve(x, where), f"{where}: {fn} argument") for x in items]
            undecided = Unknown(f"{where}: {fn} of a value not known before deployment")
            if fn == "Fn::Not":
                return undecided if truths[0] is None else not truths[0]
            if fn == "Fn::And":
                return False if False in truths else (undecided if None in truths else True)
            return True if True in truths else (undecided if None in truths else False)
        if fn == "Fn::Sub":
            return self._sub(arg, where)
        if fn == "Fn::Join":
            delimiter, items = self._args(fn, arg, 2, where)
            items = self.resolve(items, where)
            if isinstance(items, Unknown) or unknown_in(items):
                return Unknown(unknown_in(items).why, tuple(refs_in(items)))  # type: ignore[union-attr]
            if not isinstance(items, list):
                raise InputError(f"{_where(self.t.path)}{where}: Fn::Join needs a list to join")
            parts: list[Any] = []
            for i, item in enumerate(items):
                if i:
                    parts.append(str(delimiter))
                parts.extend(item.parts if isinstance(item, Text) else [item if isinstance(item, (Ref, Symbol)) else _text(item)])
            return _joined(parts)
        if fn == "Fn::Select":
            index, items = (self.resolve(x, where) for x in self._args(fn, arg, 2, where))
            if not isinstance(items, list) or not str(index).isdigit():
                return Unknown(f"{where}: Fn::Select of a list not known before deployment", tuple(refs_in(items)))
            if int(index) >= len(items):
                raise InputError(f"{_where(self.t.path)}{where}: Fn::Select index {index} is past the end of the list")
            return items[int(index)]
        if fn == "Fn::Split":
            delimiter, source = (self.resolve(x, where) for x in self._args(fn, arg, 2, where))
            if isinstance(source, str) and isinstance(delimiter, str):
                return source.split(delimiter)
            return Unknown(f"{where}: Fn::Split of a value not known before deployment", tuple(refs_in(source)))
        if fn == "Fn::FindInMap":
            return self._find_in_map(self._args(fn, arg, (3, 4), where), where)
        if fn == "Fn::ImportValue":
            return Unknown(f"{where}: Fn::ImportValue reads another stack's export at deploy time")
        if fn == "Fn::Base64":
            got = self.resolve(arg, where)
            return (
                base64.b64encode(got.encode()).decode()
                if isinstance(got, str)
                else Unknown(f"{where}: Fn::Base64 of a value not known before deployment")
            )
        if fn == "Fn::GetAZs":
            return Unknown(f"{where}: Fn::GetAZs lists the region's zones at deploy time")
        self.resolve(arg, where)  # Fn::Cidr: its arguments must still be valid
        return Unknown(f"{where}: {fn} is computed at deploy time")

    def ref(self, name: Any, where: str) -> Any:
        if not isinstance(name, str):
            raise InputError(f"{_where(self.t.path)}{where}: Ref needs a name")
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in PER_STACK:
            return Symbol(f"{self.stack}{name}")
        if name in PSEUDO:
            return PSEUDO[name]
        if name in self.params:
            return self.params[name]
        if name in self.resources:
            return Ref((self.stack, name))
        raise InputError(f"{_where(self.t.path)}{where}: Ref to {name}, which is no parameter, resource or pseudo parameter")

    def get_att(self, logical: Any, attribute: Any, where: str) -> Any:
        if logical not in self.resources:
            raise InputError(f"{_where(self.t.path)}{where}: Fn::GetAtt of {logical}, which is no resource of the template")
        if not isinstance(attribute, str):
            return Unknown(f"{where}: an attribute named at deploy time")
        if self.resources[logical].get("Type") == STACK_TYPE and attribute.startswith("Outputs."):
            return self.child(logical).output(attribute.split(".", 1)[1], where)
        return Ref((self.stack, logical), attribute)

    def _sub(self, arg: Any, where: str) -> Any:
        if isinstance(arg, list):
            text, variables = self._args("Fn::Sub", arg, 2, where)
            variables = variables if isinstance(variables, dict) else {}
        else:
            text, variables = arg, {}
        if not isinstance(text, str):
            raise InputError(f"{_where(self.t.path)}{where}: Fn::Sub needs a string")
        parts: list[Any] = []
        unknown: Unknown | None = None
        pos = 0
        for m in SUB_VARIABLE.finditer(text):
            parts.append(text[pos : m.start()])
            pos = m.end()
            name = m.group(1)
            if name.startswith("!"):  # ${!Literal} is written as ${Literal}
                parts.append("${" + name[1:] + "}")
                continue
            if name in variables:
                got = self.resolve(variables[name], where)
            elif "." in name and name.split(".", 1)[0] in self.resources:
                got = self.get_att(*name.split(".", 1), where)
            else:
                got = self.ref(name, where)
            if isinstance(got, Unknown):
                unknown = unknown or got
            parts.extend(got.parts if isinstance(got, Text) else [got if isinstance(got, (Ref, Unknown, Symbol)) else _text(got)])
        parts.append(text[pos:])
        if unknown is not None:
            return Unknown(unknown.why, tuple(refs_in(parts)))
        joined = _joined(parts)
        return self.resolve(joined, where) if isinstance(joined, str) else joined

    def _find_in_map(self, args: list, where: str) -> Any:
        name, top, second = (self.resolve(a, where) for a in args[:3])
        if any(isinstance(x, (Unknown, Ref, Text, Symbol)) for x in (name, top, second)):
            return Unknown(f"{where}: Fn::FindInMap with a key not known before deployment")
        mappings = self.doc.get("Mappings") or {}
        try:
            return self.resolve(mappings[name][str(top)][str(second)], where)
        except (KeyError, TypeError):
            if len(args) == 4 and isinstance(args[3], dict) and "DefaultValue" in args[3]:
                return self.resolve(args[3]["DefaultValue"], where)
            raise InputError(f"{_where(self.t.path)}{where}: Fn::FindInMap: Mappings has no {name}/{top}/{second}") from None

    # --- outputs and nested stacks ----------------------------------------------------------------

    def output(self, name: str, where: str) -> Any:
        outputs = self.doc.get("Outputs") or {}
        if name not in outputs or not isinstance(outputs[name], dict) or "Value" not in outputs[name]:
            raise InputError(f"{_where(self.t.path)}{where}: the nested stack has no output {name}")
        if name not in self._outputs:
            if f"Outputs.{name}" in self._busy:
                raise InputError(f"{_where(self.t.path)}circular reference through output {name}")
            self._busy.add(f"Outputs.{name}")
            try:
                cond = outputs[name].get("Condition")
                self._outputs[name] = (
                    self.resolve(outputs[name]["Value"], f"Outputs.{name}")
                    if cond is None or self.condition(cond)
                    else Unknown(f"output {name} exists only when {cond} is true")
                )
            finally:
                self._busy.discard(f"Outputs.{name}")
        return self._outputs[name]

    def child(self, logical: str) -> StackEval:
        if logical in self._children:
            return self._children[logical]
        if logical in self._busy:
            raise InputError(f"{_where(self.t.path, logical)}circular reference between nested stacks")
        self._busy.add(logical)
        try:
            res = self.resources[logical]
            props = self.resolve(res.get("Properties") or {}, f"{logical}.Properties")
            if not isinstance(props, dict):
                raise InputError(f"{_where(self.t.path, logical)}Properties must be a map, not {props!r}")
            path = nested_template(self.t.path, logical, props.get("TemplateURL"), res.get("Metadata"))
            if path.resolve() in self.chain or len(self.chain) >= MAX_NESTING:
                raise InputError(f"{_where(self.t.path, logical)}circular reference: nested stack {path} includes itself")
            given = props.get("Parameters") or {}
            if not isinstance(given, dict):
                raise InputError(f"{_where(self.t.path, logical)}Parameters of a nested stack must be a map")
            child = StackEval(tpl.load(path), f"{self.stack}{logical}/", given, self.world, self.chain)
        finally:
            self._busy.discard(logical)
        self._children[logical] = child
        return child

    def evaluate(self) -> None:
        """Append what this template (and its nested stacks) deploys in this world."""
        for logical, res in self.resources.items():
            if res["Type"] == "AWS::CDK::Metadata":  # the CDK's version report: deploys nothing
                continue
            cond = res.get("Condition")
            if cond is not None and not self.condition(cond):
                continue
            if res["Type"] == STACK_TYPE:
                self.child(logical).evaluate()
                continue
            props = self.resolve(res.get("Properties") or {}, f"{logical}.Properties")
            if not isinstance(props, dict):
                raise InputError(f"{_where(self.t.path, logical)}Properties must be a map, not {props!r}")
            depends = res.get("DependsOn") or []
            depends = [depends] if isinstance(depends, str) else depends
            if not isinstance(depends, list) or not all(isinstance(d, str) for d in depends):
                raise InputError(f"{_where(self.t.path, logical)}DependsOn must be a name or a list of names")
            for d in depends:
                if d not in self.resources:
                    raise InputError(f"{_where(self.t.path, logical)}DependsOn {d}, which is no resource of the template")
            keys = {r.key for r in refs_in(props)} | {(self.stack, d) for d in depends}
            self.world.resources.append(
                Evaluated(
                    key=(self.stack, logical),
                    type=res["Type"],
                    properties=props,
                    file=self.t.path,
                    line=self.t.lines.get(logical, 0),
                    depends=keys,
                    stack=self.stack,
                )
            )


def _typed(ptype: str, raw: Any) -> Any:
    if ptype.startswith("List<") or ptype == "CommaDelimitedList":
        return [s.strip() for s in raw.split(",")] if isinstance(raw, str) else raw
    if ptype == "Number" and isinstance(raw, str):
        try:
            return int(raw)
        except ValueError:
            try:
                return float(raw)
            except ValueError:
                return raw
    return raw


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return str(value)
    return str(value)


def _joined(parts: list[Any]) -> Any:
    """A string when every part is literal, else Text with neighbouring literals merged."""
    merged: list[Any] = []
    for p in parts:
        if isinstance(p, str) and merged and isinstance(merged[-1], str):
            merged[-1] += p
        elif p != "":
            merged.append(p)
    if all(isinstance(p, str) for p in merged):
        return "".join(merged)
    if len(merged) == 1:
        return merged[0]
    return Text(tuple(merged))


def nested_template(parent: Path, logical: str, url: Any, metadata: Any) -> Path:
    """The file a nested stack's TemplateURL names: a local path beside the parent, an S3 object whose
    name is a template beside the parent (`aws cloudformation package`), or a CDK asset path."""
    candidates: list[str] = []
    if isinstance(metadata, dict) and isinstance(metadata.get("aws:asset:path"), str):
        candidates.append(metadata["aws:asset:path"])
    if isinstance(url, Text):  # a URL built from the bucket and region: its object name is still written
        tail = url.parts[-1] if isinstance(url.parts[-1], str) else ""
        if "/" in tail and re.search(r"[^/]+\.(json|ya?ml|template)$", tail):
            candidates.append(tail.rsplit("/", 1)[1])
        url = "".join(p if isinstance(p, str) else "${...}" for p in url.parts)
    elif isinstance(url, str):
        parsed = urlparse(url)
        if parsed.scheme in ("https", "http", "s3"):
            candidates.append(Path(parsed.path).name)
        elif parsed.scheme in ("", "file"):
            candidates.append(parsed.path)
    for name in candidates:
        path = parent.parent / name
        if path.is_file():
            return path
    shown = url if isinstance(url, str) else "a URL built at deploy time"
    raise InputError(
        f"{_where(parent, logical)}nested stack template {shown!s} cannot be read: no such template beside "
        f"{parent.name}; the nested stack is not inspectable"
    )
