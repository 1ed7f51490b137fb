"""brokerguard as a Pulumi CrossGuard policy pack: the same translation, checks and stack rules as
`brokerguard scan`, run on the stack Pulumi is about to deploy. One stack validation policy,
mandatory: every control of the tier that fails is a violation naming the resources and the rule.

Config (pack config, policy `brokerguard-controls`): tier (1-4), asOf (YYYY-MM-DD, default today).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

POLICY_NAME = "brokerguard-controls"


def _resource(res: Any) -> Any:
    from brokerguard.providers.pulumi.model import PulumiResource

    parent = getattr(res, "parent", None)
    provider = getattr(res, "provider", None)
    deps = getattr(res, "property_dependencies", None) or {}
    return PulumiResource(
        urn=res.urn, type=res.resource_type, name=res.name, inputs=dict(res.props or {}),
        outputs=dict(res.props or {}), parent=getattr(parent, "urn", None),
        dependencies=[getattr(d, "urn", d) for d in (getattr(res, "dependencies", None) or [])],
        property_dependencies={k: [getattr(d, "urn", d) for d in v] for k, v in deps.items()},
        custom=True, provider=(f"{provider.urn}::{getattr(provider, 'props', {}).get('id', '')}" if provider else None),
        file="", line=0,
    )


def evaluate(resources: list[Any], tier: int, as_of: dt.date) -> list[tuple[str, str, str | None]]:
    """(control id, message, URN) for every control of the tier that fails; testable without the CLI."""
    from brokerguard.providers.pulumi import from_stack
    from brokerguard.providers.pulumi.model import PulumiStack

    from brokerguard.catalog import load_catalog
    from brokerguard.profile import Profile
    from brokerguard.scan import scan_sources

    stack = PulumiStack(origin="(pulumi preview)", kind="policy", resources=[_resource(r) for r in resources])
    source = from_stack(stack, Path("(pulumi preview)"))
    result = scan_sources([source], Profile(tier=tier), as_of, load_catalog())
    violations = []
    for control in result.results:
        if control.status.value != "fail":  # evidence lives in the broker profile, not in the stack
            continue
        failed = [j.finding for j in control.findings if not j.finding.passed]
        if not failed:
            violations.append((control.control.id, f"{control.control.id} ({control.control.cc}): "
                               f"{control.status.value}", None))
        for f in failed:
            urn = source.locations.get(f.resource, ("", 0, None))[2]
            violations.append((control.control.id, f"{control.control.id} ({control.control.cc}) {f.check_id} "
                               f"{f.resource}: {f.message}", urn))
    for urn, token in source.unmapped:
        violations.append(("(unmapped)", f"{token} has no Terraform twin in brokerguard's mapping: not judged", urn))
    return violations


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = args.get_config() or {}
    tier = int(config.get("tier", 1))
    as_of = dt.date.fromisoformat(config["asOf"]) if config.get("asOf") else dt.date.today()
    for control, message, urn in evaluate(list(args.resources), tier, as_of):
        if control == "(unmapped)":
            continue  # reported by `brokerguard scan`; not a control failure
        report_violation(message, urn)


controls = StackValidationPolicy(
    name=POLICY_NAME,
    description="Every control of the broker's tier holds (brokerguard: same rules as for Terraform)",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
    config_schema=PolicyConfigSchema(properties={
        "tier": {"type": "integer", "minimum": 1, "maximum": 4},
        "asOf": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
    }),
)

PolicyPack(name="brokerguard", enforcement_level=EnforcementLevel.MANDATORY, policies=[controls])
