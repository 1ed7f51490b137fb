"""Pulumi state on disk: `pulumi stack export` (deployment v3/v4), the file backend's checkpoint,
and `pulumi preview --json`. Shapes checked against pulumi/pulumi sdk/go/common/apitype
(deployments.json, resources.json) and sdk/go/common/display JSON preview output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from brokerguard.errors import InputError
from brokerguard.policies.meta import Text
from brokerguard.providers.pulumi.model import SECRET_SIG, UNKNOWN, PulumiResource, PulumiStack

DEPLOYMENT_VERSIONS = (3, 4)  # 4 when the deployment lists `features`
# Steps that leave nothing in the future stack, and the read of a data source.
GONE = ("delete", "delete-replaced", "discard", "discard-replaced", "remove-pending-replace", "read", "read-replacement")


def kind_of(doc: Any) -> str | None:
    """Recognise a Pulumi document by its content, whatever the file is called."""
    if not isinstance(doc, dict):
        return None
    if "deployment" in doc or "checkpoint" in doc:
        return "export"
    if isinstance(doc.get("steps"), list):
        return "preview"
    return None


def _strings(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{where}: expected a list of URNs")
    return value


def _comparable(value: Any) -> bool:
    return value != UNKNOWN and not (isinstance(value, dict) and SECRET_SIG in value)


def _deployed(raw: dict, drift: list[str]) -> dict[str, Any]:
    """What is deployed: the outputs, over the inputs for what the outputs do not hold. Where the two
    differ (changed by hand, or by the provider), the deployed value is judged and the drift noted."""
    inputs = {k: v for k, v in (raw.get("inputs") or {}).items() if k != "__defaults"}
    outputs = {k: v for k, v in (raw.get("outputs") or {}).items() if k != "__meta"}
    for key in sorted(set(inputs) & set(outputs)):
        if inputs[key] != outputs[key] and _comparable(inputs[key]) and _comparable(outputs[key]):
            deployed, declared = json.dumps(outputs[key])[:80], json.dumps(inputs[key])[:80]
            drift.append(Text(f"{raw['urn']}: {key} is {deployed} deployed but {declared} declared (judged as deployed)",
                              f"{raw['urn']}：{key} 部署值為 {deployed}，宣告值為 {declared}（以部署值判定）"))
    return {**inputs, **outputs}


def _resource(raw: Any, where: str, origin: str, drift: list[str] | None = None) -> PulumiResource:
    """One resource of the state; a field of the wrong type is an error, never read as empty.
    With ``drift`` (a stack export), the deployed outputs are what is judged."""
    if not isinstance(raw, dict) or not isinstance(raw.get("urn"), str) or not isinstance(raw.get("type"), str):
        raise InputError(f"{where}: a resource needs a urn and a type")
    for key in ("inputs", "outputs", "propertyDependencies"):
        if raw.get(key) is not None and not isinstance(raw[key], dict):
            raise InputError(f"{where}.{key}: expected an object, got {type(raw[key]).__name__}")
    for key in ("id", "parent", "provider"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            raise InputError(f"{where}.{key}: expected a string, got {type(raw[key]).__name__}")
    if not isinstance(raw.get("custom", False), bool):
        raise InputError(f"{where}.custom: expected true or false")
    outputs = {k: v for k, v in (raw.get("outputs") or {}).items() if k != "__meta"}
    if raw.get("id"):
        outputs.setdefault("id", raw["id"])
    inputs = {k: v for k, v in (raw.get("inputs") or {}).items() if k != "__defaults"}
    return PulumiResource(
        urn=raw["urn"], type=raw["type"], name=raw["urn"].rsplit("::", 1)[-1],
        inputs=inputs if drift is None else _deployed(raw, drift), outputs=outputs,
        parent=raw.get("parent") or None, dependencies=_strings(raw.get("dependencies"), f"{where}.dependencies"),
        property_dependencies={k: _strings(v, f"{where}.propertyDependencies.{k}")
                               for k, v in (raw.get("propertyDependencies") or {}).items()},
        custom=raw.get("custom", False), provider=raw.get("provider") or None, file=origin, line=0,
    )


def read_export(path: Path, doc: dict) -> PulumiStack:
    origin = str(path)
    if "checkpoint" in doc:  # the file backend's raw state: {version, checkpoint: {stack, config, latest}}
        checkpoint = doc["checkpoint"]
        if not isinstance(checkpoint, dict):
            raise InputError(f"{path}: checkpoint must be an object")
        deployment = checkpoint.get("latest") or {}
        config = checkpoint.get("config") or {}
    else:
        deployment, config = doc.get("deployment"), {}
    version = doc.get("version")
    if version not in DEPLOYMENT_VERSIONS:
        raise InputError(f"{path}: Pulumi deployment version {version!r} is not supported (expected 3 or 4)")
    if not isinstance(deployment, dict):
        raise InputError(f"{path}: deployment must be an object")
    resources = deployment.get("resources") or []
    if not isinstance(resources, list):
        raise InputError(f"{path}: deployment.resources must be a list")
    pending = deployment.get("pending_operations") or []
    if pending:  # an update was interrupted: what is deployed is not what the state says
        first = pending[0] if isinstance(pending, list) and isinstance(pending[0], dict) else {}
        urn = (first.get("resource") or {}).get("urn", "?") if isinstance(first.get("resource"), dict) else "?"
        raise InputError(f"{path}: {len(pending) if isinstance(pending, list) else 'some'} pending operation(s) "
                         f"({first.get('type', '?')} of {urn}): an update was interrupted and the state may not "
                         f"match what is deployed", hint="pulumi refresh, then export again")
    drift: list[str] = []
    out = [_resource(r, f"{path}: deployment.resources[{i}]", origin, drift) for i, r in enumerate(resources)]
    deleted = {r["urn"] for r in resources if isinstance(r, dict) and r.get("delete")}
    return PulumiStack(origin=origin, kind="export", resources=[r for r in out if r.urn not in deleted],
                       config=config if isinstance(config, dict) else {}, notes=drift)


def read_preview(path: Path, doc: dict) -> PulumiStack:
    """The future stack: every step's newState, except deletes (and the old half of a replacement)."""
    if "version" in doc and doc["version"] not in (None, 1):
        raise InputError(f"{path}: `pulumi preview --json` output version {doc['version']!r} is not supported")
    diagnostics = doc.get("diagnostics") or []
    errors = [d for d in diagnostics if isinstance(d, dict) and str(d.get("severity", "")).startswith("error")] \
        if isinstance(diagnostics, list) else []
    if errors:  # the preview failed: its steps are not the whole future stack
        first = " ".join(str(errors[0].get("message", "")).split())[:200]
        raise InputError(f"{path}: the preview reported {len(errors)} error(s), so its steps are not the whole "
                         f"stack: {first}")
    out: dict[str, PulumiResource] = {}
    for i, step in enumerate(doc["steps"]):
        if not isinstance(step, dict) or not isinstance(step.get("op"), str):
            raise InputError(f"{path}: steps[{i}] needs an op")
        op = step["op"]
        if op in GONE:
            continue
        state = step.get("newState")
        if not isinstance(state, dict):
            raise InputError(f"{path}: steps[{i}] ({op} of {step.get('urn', '?')}) has no newState: what it "
                             f"creates cannot be seen", hint="run `pulumi preview --json` with a Pulumi CLI that "
                             "prints each step's newState")
        res = _resource(state, f"{path}: steps[{i}].newState", str(path))
        out[res.urn] = res
    config = doc.get("config") if isinstance(doc.get("config"), dict) else {}
    return PulumiStack(origin=str(path), kind="preview", resources=list(out.values()), config=config)
