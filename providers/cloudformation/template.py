"""Reading one CloudFormation template, JSON or YAML, safely: only the intrinsic-function short forms
as tags, aliases bounded, every resource's line kept for the findings."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from brokerguard.errors import InputError
from brokerguard.providers.plan import MAX_JSON_BYTES

# A template CloudFormation accepts is at most 1 MB (from S3); a synthesised CDK template rarely nears it.
# Refused before parsing, with the project's limit for machine-written JSON.
MAX_TEMPLATE_BYTES = MAX_JSON_BYTES
# Aliases are shared when parsed but walked once per use: a few nested aliases make billions of nodes.
MAX_EXPANDED_NODES = 2_000_000

# The short forms CloudFormation's YAML accepts; each stands for the long form {"Fn::X": value}.
SHORT_FORMS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    "!GetAtt": "Fn::GetAtt",
    "!Sub": "Fn::Sub",
    "!If": "Fn::If",
    "!Join": "Fn::Join",
    "!Select": "Fn::Select",
    "!Split": "Fn::Split",
    "!FindInMap": "Fn::FindInMap",
    "!Equals": "Fn::Equals",
    "!Not": "Fn::Not",
    "!And": "Fn::And",
    "!Or": "Fn::Or",
    "!ImportValue": "Fn::ImportValue",
    "!Base64": "Fn::Base64",
    "!Cidr": "Fn::Cidr",
    "!GetAZs": "Fn::GetAZs",
    "!Transform": "Fn::Transform",
    "!Length": "Fn::Length",
    "!ToJsonString": "Fn::ToJsonString",
}
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template", ".cfn")


@dataclass(frozen=True)
class Template:
    path: Path
    doc: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)  # logical id -> line of its key


class _Loader(yaml.SafeLoader):
    """Safe YAML, the intrinsic tags, no duplicate keys, timestamps kept as the text written
    (`Version: 2012-10-17` is a string to CloudFormation, not a date)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise yaml.constructor.ConstructorError(None, None, "a mapping key must be a plain value", key_node.start_mark)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=True)

    def construct_text(self, node: yaml.ScalarNode) -> str:
        return str(node.value)

    def construct_unknown(self, node: yaml.Node) -> None:
        raise yaml.constructor.ConstructorError(
            None, None, f"tag {node.tag} is not a CloudFormation intrinsic function", node.start_mark
        )


def _short_form(name: str) -> Callable[[_Loader, yaml.Node], dict]:
    def construct(loader: _Loader, node: yaml.Node) -> dict:
        if isinstance(node, yaml.ScalarNode):
            raw: Any = loader.construct_scalar(node)
            if name == "Fn::GetAtt":  # !GetAtt Resource.Attribute
                raw = str(raw).split(".", 1)
            elif name == "Fn::GetAZs" and raw is None:
                raw = ""
        elif isinstance(node, yaml.SequenceNode):
            raw = loader.construct_sequence(node, deep=True)
        else:
            raw = loader.construct_mapping(node, deep=True)
        return {name: raw}

    return construct


for _tag, _name in SHORT_FORMS.items():
    _Loader.add_constructor(_tag, _short_form(_name))
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_text)
_Loader.add_constructor("tag:yaml.org,2002:binary", _Loader.construct_text)
for _tag in ("tag:yaml.org,2002:set", "tag:yaml.org,2002:omap", "tag:yaml.org,2002:pairs"):
    _Loader.add_constructor(_tag, _Loader.construct_unknown)
_Loader.add_constructor(None, _Loader.construct_unknown)


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Nodes as walked with every alias expanded (an alias is the same node object, met again)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 1  # a node that contains itself is refused by the constructor; count it once here
    if isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(n, memo) for n in node.value)
    elif isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    else:
        size = 1
    memo[key] = min(size, MAX_EXPANDED_NODES + 1)
    return memo[key]


def read_text(path: Path) -> str:
    size = path.stat().st_size
    if size > MAX_TEMPLATE_BYTES:
        raise InputError(
            f"{path}: {size:,} bytes is over the {MAX_TEMPLATE_BYTES:,}-byte limit for a template; refused before parsing"
        )
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {data[exc.start]:#04x} at offset {exc.start})") from None


def looks_like_json(text: str) -> bool:
    """JSON begins with an object or a list; an empty file is judged as (invalid) JSON."""
    return text.lstrip()[:1] in ("{", "[", "")


def parse_yaml(path: Path, text: str) -> tuple[Any, dict[str, int]]:
    """The document and the line of each key under Resources."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        if _expanded_size(node, {}) > MAX_EXPANDED_NODES:
            raise InputError(f"{path}: YAML aliases expand to more than {MAX_EXPANDED_NODES:,} nodes; refused")
        doc = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f":{mark.line + 1}" if mark else ""
        raise InputError(f"{path}{where}: not valid YAML ({exc.problem or exc.context})") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML ({' '.join(str(exc).split())})") from None
    except RecursionError:
        raise InputError(f"{path}: YAML nested too deeply to read") from None
    finally:
        loader.dispose()
    lines = {}
    if isinstance(node, yaml.MappingNode):
        for key, val in node.value:
            if getattr(key, "value", None) == "Resources" and isinstance(val, yaml.MappingNode):
                lines = {str(k.value): k.start_mark.line + 1 for k, _ in val.value}
    return doc, lines


def json_lines(text: str, doc: Any) -> dict[str, int]:
    """Lines of the resources of a JSON template: the first `"Id": {` after `"Resources"`."""
    start = text.find('"Resources"')
    resources = doc.get("Resources") if isinstance(doc, dict) else None
    if start < 0 or not isinstance(resources, dict):
        return {}
    out = {}
    for logical in resources:
        m = re.compile(rf'"{re.escape(str(logical))}"\s*:\s*\{{').search(text, start)
        if m:
            out[str(logical)] = text.count("\n", 0, m.start()) + 1
    return out


def parse(path: Path, text: str) -> tuple[Any, dict[str, int]]:
    if looks_like_json(text):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg}, column {exc.colno})") from None
        except RecursionError:
            raise InputError(f"{path}: JSON nested too deeply to read") from None
        return doc, json_lines(text, doc)
    return parse_yaml(path, text)


def is_template(doc: Any) -> bool:
    """A CloudFormation template: a Resources map of {Type: "AWS::..."} entries, or the format version key."""
    if not isinstance(doc, dict):
        return False
    if "AWSTemplateFormatVersion" in doc:
        return True
    resources = doc.get("Resources")
    return (
        isinstance(resources, dict)
        and bool(resources)
        and all(isinstance(r, dict) and isinstance(r.get("Type"), str) and "::" in r["Type"] for r in resources.values())
    )


def load(path: Path, doc: Any = None, lines: dict[str, int] | None = None) -> Template:
    """A template from a file (or its already parsed document), refused when it is not one."""
    if doc is None:
        text = read_text(path)
        doc, lines = parse(path, text)
        if not is_template(doc):
            kind = "JSON" if looks_like_json(text) else "YAML"
            raise InputError(f"{path}: {kind} that is not a CloudFormation template (no Resources of AWS:: types)")
    check_shape(path, doc)
    return Template(path=path, doc=doc, lines=lines or {})


def check_shape(path: Path, doc: dict[str, Any]) -> None:
    transform = doc.get("Transform")
    if transform:
        names = [str(t) for t in (transform if isinstance(transform, list) else [transform])]
        how = (
            "`sam build` output in .aws-sam/build"
            if any("Serverless" in n for n in names)
            else "`aws cloudformation get-template --template-stage Processed` of a change set, or `cdk synth` output"
        )
        raise InputError(
            f"{path}: the template uses the transform(s) {', '.join(names)}, which CloudFormation expands "
            f"at deploy time; scan the expanded template ({how})"
        )
    resources = doc.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise InputError(f"{path}: a CloudFormation template needs a Resources map with at least one resource")
    for section in ("Parameters", "Mappings", "Conditions", "Outputs"):
        if section in doc and not isinstance(doc[section], dict):
            raise InputError(f"{path}: {section} must be a map")
    for logical, res in resources.items():
        if not re.fullmatch(r"[A-Za-z0-9]+", str(logical)):
            raise InputError(f"{path}: resource {logical!r}: a logical id is letters and digits only")
        if not isinstance(res, dict) or not isinstance(res.get("Type"), str):
            raise InputError(f"{path}: resource {logical}: needs a Type")
        if "Properties" in res and not isinstance(res["Properties"], dict):
            raise InputError(f"{path}: resource {logical}: Properties must be a map")
