"""brokerguard as Pulumi CrossGuard policies (policies/pulumi/): one mandatory stack policy per control.

The stack Pulumi is about to deploy is judged by the same translation, checks, stack rules and
engine as `brokerguard scan`, with the broker profile from the pack's config, so the pack and the
scanner agree. Pulumi hands read-only proxies that raise on unknown values; they are copied out
(unknowns kept as Pulumi's wire sentinel), so an unknown value makes the checks reading it
"cannot judge" (a mandatory failure), never an advisory note from the SDK.

Config of each policy (the same for all; `--policy-pack-config`): tier (1-4), asOf (YYYY-MM-DD),
profile (path of a profile YAML) or profileInline (the profile as an object), gate (all |
infrastructure, default infrastructure: evidence controls are reported by `brokerguard scan`).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import _DictProxy, _is_unknown, _ListProxy

from brokerguard.catalog import Control, load_catalog
from brokerguard.errors import InputError
from brokerguard.model import Status

FRAMEWORK = "證券商資通安全分級防護 (tiered cybersecurity controls of Taiwanese securities brokers)"
FRAMEWORK_VERSION = "2024"
PREFIX = "brokerguard-"
CONFIG_SCHEMA = PolicyConfigSchema(properties={
    "tier": {"type": "integer", "minimum": 1, "maximum": 4},
    "asOf": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
    "profile": {"type": "string"},
    "profileInline": {"type": "object"},
    "gate": {"type": "string", "enum": ["all", "infrastructure"]},
})


def plain(value: Any) -> Any:
    """A deep copy out of the SDK's proxies (`dict()` copies one level and keeps them); unknowns of
    every kind become the one sentinel the Pulumi translation reads as "unknown until apply"."""
    from brokerguard.providers.pulumi.model import UNKNOWN

    if isinstance(value, _DictProxy | _ListProxy):
        value = value["__target"]  # the SDK's own escape hatch: reading keys would raise on unknowns
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [plain(v) for v in value]
    return UNKNOWN if _is_unknown(value) else value


def _resource(res: Any) -> Any:
    from brokerguard.providers.pulumi.model import PulumiResource

    props = plain(res.props or {})
    provider = getattr(res, "provider", None)
    provider_id = plain(provider.props or {}).get("id", "") if provider is not None else ""
    return PulumiResource(
        urn=res.urn, type=res.resource_type, name=res.name, inputs=props, outputs=props,
        parent=getattr(getattr(res, "parent", None), "urn", None),
        dependencies=[d.urn for d in (res.dependencies or [])],
        property_dependencies={k: [d.urn for d in v] for k, v in (res.property_dependencies or {}).items()},
        custom=True, provider=f"{provider.urn}::{provider_id}" if provider is not None else None,
    )


def _profile(config: Mapping[str, Any]) -> Any:
    from brokerguard.profile import Profile, load_profile, parse_profile

    catalog = load_catalog()
    tier = int(config["tier"]) if config.get("tier") is not None else None
    if config.get("profile") and config.get("profileInline") is not None:
        raise InputError("pack config: profile and profileInline exclude each other")
    if config.get("profile"):
        return load_profile(Path(config["profile"]), catalog, tier=tier)
    if config.get("profileInline") is not None:
        return parse_profile(config["profileInline"], "pack config profileInline", catalog, tier=tier)
    if tier is None:
        raise InputError("pack config: no tier (set tier, profile or profileInline)")
    return Profile(tier=tier)


@functools.lru_cache(maxsize=2)
def _judge(resources_json: str, config_json: str) -> Any:
    """One scan per stack and config: every policy of the pack asks about the same stack."""
    from brokerguard.providers.pulumi import from_stack
    from brokerguard.providers.pulumi.model import PulumiResource, PulumiStack
    from brokerguard.scan import scan_sources

    config = json.loads(config_json)
    resources = [PulumiResource(**r) for r in json.loads(resources_json)]
    stack = PulumiStack(origin="(pulumi preview)", kind="policy", resources=resources)
    source = from_stack(stack, Path("(pulumi preview)"))
    as_of = dt.date.fromisoformat(config["asOf"]) if config.get("asOf") else dt.date.today()
    result = scan_sources([source], _profile(config), as_of, load_catalog())
    return result, source


def violations(resources: list[Any], config: Mapping[str, Any], control_id: str) -> list[tuple[str, str | None]]:
    """(message, URN) for each reason this control does not hold in the stack."""
    from dataclasses import asdict

    copied = json.dumps([asdict(_resource(r)) for r in resources], sort_keys=True, default=str)
    result, source = _judge(copied, json.dumps(dict(config), sort_keys=True, default=str))
    control = next(r for r in result.results if r.control.id == control_id)
    head = f"{control.control.id} ({control.control.cc})"
    if control.status is Status.ERROR or result.not_inspectable:
        return [(f"{head}: cannot judge: {'; '.join(control.notes + list(result.not_inspectable))}", None)]
    if control.status is Status.EVIDENCE_MISSING:
        if config.get("gate", "infrastructure") != "all":
            return []
        return [(f"{head}: {'; '.join(control.notes) or 'no valid evidence in the profile'}", None)]
    if control.status is not Status.FAIL:
        return []
    out = []
    for j in control.findings:
        if j.result != "failed":
            continue
        f = j.finding
        urn = source.locations.get(f.resource, ("", 0, None))[2] or None
        out.append((f"{head} {f.check_id} {f.resource}: {f.message}. How to fix: {f.fix}", urn))
    return out


def _remediation(control: Control) -> str:
    from brokerguard import registry
    from brokerguard.report.view import EVIDENCE_FIX

    policies = registry.load()
    steps = [f"{cid}: {policies[cid].meta.fix} / {policies[cid].meta.fix.zh}" for cid in control.checks + control.stack_rules]
    return "\n".join(steps) or EVIDENCE_FIX


def _severity(control: Control) -> Severity | None:
    """The most severe of the control's checks, as each declares it; None for an evidence-only control."""
    from brokerguard import registry
    from brokerguard.policies.meta import SEVERITIES

    policies = registry.load()
    declared = [policies[cid].meta.severity for cid in control.checks + control.stack_rules]
    return Severity(min(declared, key=SEVERITIES.index)) if declared else None


def policy(control: Control) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        try:
            found = violations(list(args.resources), args.get_config() or {}, control.id)
        except InputError as exc:  # a broken profile is never a pass: every policy says so, mandatory
            found = [(f"{control.id}: cannot judge: {exc.one_line()}", None)]
        for message, urn in found:
            report_violation(message, urn)

    return StackValidationPolicy(
        name=f"{PREFIX}{control.id}",
        description=f"{control.name['en']} / {control.name['zh-TW']} ({control.cc})",
        enforcement_level=EnforcementLevel.MANDATORY,
        validate=validate,
        config_schema=CONFIG_SCHEMA,
        framework=PolicyComplianceFramework(name=FRAMEWORK, version=FRAMEWORK_VERSION, reference=control.cc,
                                            specification=control.requirement["en"]),
        remediation_steps=_remediation(control),
        severity=_severity(control),
        tags=["brokerguard", control.cc, control.scope],
    )


def policies() -> list[StackValidationPolicy]:
    return [policy(c) for c in load_catalog().controls]
