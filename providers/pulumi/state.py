"""Pulumi state on disk: `pulumi stack export` (deployment v3/v4), the file backend's checkpoint,
and `pulumi preview --json`. Shapes checked against pulumi/pulumi sdk/go/common/apitype
(deployments.json, resources.json) and sdk/go/common/display JSON preview output."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from brokerguard.providers.pulumi.model import PulumiResource, PulumiStack

from brokerguard.errors import InputError

DEPLOYMENT_VERSIONS = (3, 4)  # 4 when the deployment lists `features`


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


def _resource(raw: Any, where: str, origin: str) -> PulumiResource:
    """One resource of the state; a field of the wrong type is an error, never read as empty."""
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
    return PulumiResource(
        urn=raw["urn"], type=raw["type"], name=raw["urn"].rsplit("::", 1)[-1],
        inputs={k: v for k, v in (raw.get("inputs") or {}).items() if k != "__defaults"}, outputs=outputs,
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
    out = [_resource(r, f"{path}: deployment.resources[{i}]", origin) for i, r in enumerate(resources)]
    out = [r for r in out if not r.urn.startswith("urn:pulumi:") or True]
    deleted = {r["urn"] for r in resources if isinstance(r, dict) and r.get("delete")}
    return PulumiStack(origin=origin, kind="export", resources=[r for r in out if r.urn not in deleted],
                       config=config if isinstance(config, dict) else {})


def read_preview(path: Path, doc: dict) -> PulumiStack:
    """The future stack: every step's newState, except deletes (and the old half of a replacement)."""
    if "version" in doc and doc["version"] not in (None, 1):
        raise InputError(f"{path}: `pulumi preview --json` output version {doc['version']!r} is not supported")
    out: dict[str, PulumiResource] = {}
    for i, step in enumerate(doc["steps"]):
        if not isinstance(step, dict) or not isinstance(step.get("op"), str):
            raise InputError(f"{path}: steps[{i}] needs an op")
        op = step["op"]
        if op in ("delete", "delete-replaced", "discard", "discard-replaced", "remove-pending-replace"):
            continue
        state = step.get("newState")
        if op == "read" or state is None:
            continue
        res = _resource(state, f"{path}: steps[{i}].newState", str(path))
        out[res.urn] = res
    config = doc.get("config") if isinstance(doc.get("config"), dict) else {}
    return PulumiStack(origin=str(path), kind="preview", resources=list(out.values()), config=config)
