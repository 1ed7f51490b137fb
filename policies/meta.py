"""What a check or stack rule declares about itself, once, beside its code.

A check's id is its file name's prefix (``CKV_TWB_003_core_db_not_public.py`` is CKV_TWB_003), its
guideline is derived from the id, and the control it serves is the catalog's to say. Everything
else a report, the docs or the scan needs to know about a check is its ``Meta``: texts in both
languages, severity, the resource types and the attributes it reads. A Python check or stack rule
reads it from the metadata file beside its code (``CKV_TWB_003_core_db_not_public.metadata.yaml``,
as Prowler keeps a metadata file beside each check); a YAML graph check holds it in its own file,
under ``brokerguard:``.

No Checkov import here: stack rules and the registry read this without loading Checkov.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brokerguard import schema
from brokerguard.errors import InputError

LANGS = schema.LANGS  # the languages every text a user reads exists in (one declaration: brokerguard.schema)
METADATA_SUFFIX = ".metadata.yaml"
# The policy ids brokerguard owns; a file of policies/checkov/ or policies/stack_rules/ starts with one.
POLICY_ID = re.compile(r"^(CKV2?_TWB_\d{3}|TWB_STACK_\d{3})(?=_|\.|$)")
# Checkov's and Trivy's words, highest first; SARIF's security-severity is derived from them.
SEVERITIES = ("critical", "high", "medium", "low")
CRITICAL, HIGH, MEDIUM, LOW = SEVERITIES


class Text(str):
    """A sentence in English that carries its Traditional Chinese twin.

    It is a ``str`` (the English) so that it passes through Checkov's ``details`` and any code that
    only wants one language; ``in_(lang)`` gives the other.
    """

    zh: str

    def __new__(cls, en: str, zh: str) -> Text:
        if not isinstance(en, str) or not isinstance(zh, str) or not en.strip() or not zh.strip():
            raise ValueError(f"a text needs both an English and a Traditional Chinese sentence: {en!r} / {zh!r}")
        obj = super().__new__(cls, en)
        obj.zh = zh
        return obj

    def in_(self, lang: str) -> str:
        return self.zh if lang == "zh-TW" else str(self)

    def as_dict(self) -> dict[str, str]:
        return {"zh-TW": self.zh, "en": str(self)}

    def __reduce__(self) -> tuple:  # copies and pickles keep both languages
        return (Text, (str(self), self.zh))

    @staticmethod
    def join(sep: Text | str, parts: Iterable[str]) -> Text | str:
        """Join texts in each language; a part that is a plain string stands in both."""
        parts = list(parts)
        if not parts:
            return ""
        zh_sep = sep.zh if isinstance(sep, Text) else sep
        return Text(str(sep).join(map(str, parts)), zh_sep.join(p.zh if isinstance(p, Text) else p for p in parts))


OK = Text("ok", "通過")


def text_of(value: str, lang: str) -> str:
    """A message in one language, whether it was declared bilingual or is plain (an address, a path)."""
    return value.in_(lang) if isinstance(value, Text) else value


@dataclass(frozen=True)
class Meta:
    """A check's or stack rule's declaration.

    ``types``: resource types it reads; ``None`` (stack rules only) means any type, so that a type a
    source could not read makes it `error`. ``attributes``: attributes of the judged resource it reads;
    ``None`` means every attribute, so that any unknown value makes its pass a "cannot judge".
    ``attestable``: "the stack must contain X", which evidence of X elsewhere may stand in for.
    ``evidence_gap``: what the rule cannot find may exist outside code (a DDoS scrubbing service): without
    evidence the control is evidence_missing, never a pass and not a failure shown by the infrastructure.
    """

    name: Text
    description: Text
    fix: Text
    severity: str
    types: tuple[str, ...] | None = None
    attributes: frozenset[str] | None = None
    attestable: bool = False
    evidence_gap: bool = False

    def __post_init__(self) -> None:
        for field in ("name", "description", "fix"):
            if not isinstance(getattr(self, field), Text):
                raise ValueError(f"Meta.{field} must be a Text with both languages")
        if self.severity not in SEVERITIES:
            raise ValueError(f"Meta.severity {self.severity!r} is not one of {', '.join(SEVERITIES)}")
        if self.types is not None:
            object.__setattr__(self, "types", tuple(self.types))
        if self.attributes is not None:
            object.__setattr__(self, "attributes", frozenset(self.attributes))


def policy_id(file_name: str) -> str:
    """The id a policy file declares by its name; anything else is an error at load."""
    match = POLICY_ID.match(file_name)
    if not match:
        raise ValueError(f"{file_name}: a policy file's name starts with its id (CKV_TWB_001_..., TWB_STACK_001_...)")
    return match.group(1)


def guideline(pid: str) -> str:
    """Where a policy is documented: its section of docs/checks.md."""
    return f"docs/checks.md#{pid.lower()}"


def _code_file(policy: object) -> Path:
    return Path(sys.modules[type(policy).__module__].__file__ or "")


def own_id(policy: object) -> str:
    """The id of the check or rule object, from the file its class is defined in."""
    return policy_id(_code_file(policy).name)


def own_meta(policy: object) -> Meta:
    """The metadata file beside the check's or rule's code; a missing or broken one stops the load."""
    code = _code_file(policy)
    path = code.with_name(code.stem + METADATA_SUFFIX)
    if not path.is_file():
        raise InputError(f"{code}: no {path.name} beside it (a check's name, texts, severity and what it reads)")
    return parse_meta(schema.load_yaml(path), str(path))


def _text(raw: Any, where: str) -> Text:
    raw = schema.mapping(raw, where, {"en", "zh-TW"})
    return Text(schema.text(raw["en"], f"{where}.en"), schema.text(raw["zh-TW"], f"{where}.zh-TW"))


def _names(raw: Any, where: str, groups: dict[str, Any]) -> tuple[str, ...]:
    """A list of names, where ``$group`` stands for a named set of brokerguard.policies.groups."""
    out: list[str] = []
    for name in schema.string_list(raw, where):
        if name.startswith("$"):
            if name[1:] not in groups:
                raise InputError(f"{where}: unknown group {name} (known: {', '.join(sorted(groups))})")
            out.extend(groups[name[1:]])
        else:
            out.append(name)
    return tuple(dict.fromkeys(out))


def parse_meta(raw: Any, where: str) -> Meta:
    """A metadata mapping (a .metadata.yaml file, or a graph check's ``brokerguard:`` block), validated."""
    from brokerguard.policies.groups import ATTRIBUTE_GROUPS, TYPE_GROUPS

    raw = schema.mapping(raw, where, {"name", "description", "fix", "severity"},
                         {"types", "attributes", "attestable", "evidence_gap"})
    if raw.get("severity") not in SEVERITIES:
        raise InputError(f"{where}.severity: {raw.get('severity')!r} is not one of {', '.join(SEVERITIES)}")
    for flag in ("attestable", "evidence_gap"):
        if not isinstance(raw.get(flag, False), bool):
            raise InputError(f"{where}.{flag}: expected true or false")
    return Meta(
        name=_text(raw["name"], f"{where}.name"), description=_text(raw["description"], f"{where}.description"),
        fix=_text(raw["fix"], f"{where}.fix"), severity=raw["severity"],
        types=_names(raw["types"], f"{where}.types", TYPE_GROUPS) if "types" in raw else None,
        attributes=frozenset(_names(raw["attributes"], f"{where}.attributes", ATTRIBUTE_GROUPS))
        if "attributes" in raw else None,
        attestable=raw.get("attestable", False), evidence_gap=raw.get("evidence_gap", False),
    )
