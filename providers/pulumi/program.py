"""Run a Pulumi Python program in-process under ``pulumi.runtime.set_mocks``: no CLI, no credentials.

Every registration is captured with its type token, logical name, inputs (camelCase wire names),
parent, dependencies and per-property dependencies, and the file and line of the constructor call
in the user's program. URNs are computed here (the mock monitor's are cut at one parent level).
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import json
import os
import runpy
import sys
import threading
import traceback
from pathlib import Path
from typing import Any

import yaml
from brokerguard.providers.pulumi.model import PROVIDER_PREFIX, STACK_TYPE, UNKNOWN, PulumiResource, PulumiStack

from brokerguard.errors import InputError

_RUN_LOCK = threading.Lock()  # the Pulumi runtime is process-global: one program at a time


def is_program(path: Path) -> bool:
    return path.is_dir() and (path / "Pulumi.yaml").is_file() and (path / "__main__.py").is_file()


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: cannot read Pulumi settings ({first})") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping at the top level")
    return data


def _config(root: Path, project: str, stack: str | None) -> tuple[dict[str, Any], list[str]]:
    """Project config (Pulumi.yaml ``config``) under stack config (Pulumi.<stack>.yaml), keys namespaced.

    A secret (``secure:``) cannot be decrypted here: it becomes the unknown sentinel, never an error.
    """
    values: dict[str, Any] = {}
    secrets: list[str] = []

    def put(key: str, raw: Any) -> None:
        full = key if ":" in key else f"{project}:{key}"
        if isinstance(raw, dict) and "secure" in raw:
            values[full], _ = UNKNOWN, secrets.append(full)
        elif (isinstance(raw, dict) and set(raw) & {"value", "default"}
              and set(raw) <= {"value", "default", "type", "description", "secret", "items"}):
            values[full] = raw.get("value", raw.get("default"))
        else:
            values[full] = raw

    for key, raw in (_read_yaml(root / "Pulumi.yaml").get("config") or {}).items():
        put(key, raw)
    if stack:
        stack_file = root / f"Pulumi.{stack}.yaml"
        if not stack_file.is_file():
            raise InputError(f"{stack_file}: no such stack settings file (for --stack {stack})")
        for key, raw in (_read_yaml(stack_file).get("config") or {}).items():
            put(key, raw)
    return values, secrets


def _call_site(root: Path) -> tuple[str, int]:
    """The innermost frame in the user's program: where the resource was constructed.

    Walks the raw frames: inspect.stack() resolves every frame's module and source file, which
    cost more than the rest of a 1,000-resource program's inspection.
    """
    root_s = str(root.resolve()) + os.sep
    frame = sys._getframe(2)
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if filename.startswith(root_s):
            return filename, frame.f_lineno
        frame = frame.f_back
    return "", 0


def _last_program_frame(exc: BaseException, root: Path) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    root_s = str(root.resolve())
    mine = [f for f in frames if os.path.abspath(f.filename).startswith(root_s + os.sep)]
    frame = (mine or frames or [None])[-1]
    return f"{frame.filename}:{frame.lineno}" if frame else "?"


def run_program(root: Path, stack: str | None = None) -> PulumiStack:
    try:
        import pulumi  # noqa: F401
        from pulumi.runtime import mocks as pmocks
        from pulumi.runtime import settings as psettings
        from pulumi.runtime.stack import run_pulumi_func
        from pulumi.runtime.sync_await import _sync_await
    except ImportError:
        raise InputError(f"{root}: a Pulumi program needs the pulumi package "
                         "(pip install 'brokerguard[pulumi]')") from None
    root = root.resolve()
    settings = _read_yaml(root / "Pulumi.yaml")
    project = str(settings.get("name") or root.name)
    runtime = settings.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name not in (None, "python"):
        raise InputError(f"{root / 'Pulumi.yaml'}: runtime {runtime_name!r}: only Python programs can be run here "
                         "(scan a `pulumi stack export` or `pulumi preview --json` instead)")
    stack_name = stack or "dev"
    config, secret_keys = _config(root, project, stack)
    main = root / "__main__.py"
    with _RUN_LOCK:
        return _run(root, main, project, stack_name, config, secret_keys, pmocks, psettings, run_pulumi_func, _sync_await)


def _run(root, main, project, stack_name, config, secret_keys, pmocks, psettings, run_pulumi_func, _sync_await) -> PulumiStack:  # noqa: ANN001
    import pulumi

    sites: dict[tuple[str, str], collections.deque] = collections.defaultdict(collections.deque)
    records: dict[str, dict] = {}  # mock urn -> registration
    order: list[str] = []
    counter = [0]

    class Mocks(pmocks.Mocks):
        def new_resource(self, args: Any) -> tuple[str, dict]:
            counter[0] += 1
            digest = hashlib.sha1(f"{args.typ}/{args.name}/{counter[0]}".encode()).hexdigest()[:12]
            rid = f"{args.name}-{digest}"  # unique across types: a subnet and a route table may share a name
            service = args.typ.split(":")[1].split("/")[0] if args.typ.count(":") == 2 else "pulumi"
            state = dict(args.inputs)
            state.setdefault("arn", f"arn:aws:{service}:ap-northeast-1:123456789012:{args.typ.split(':')[-1].lower()}/{rid}")
            state.setdefault("name", f"{args.name}-{digest}")
            return rid, state

        def call(self, args: Any) -> dict:
            return {}

    class Monitor(pmocks.MockMonitor):
        def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (the Pulumi monitor's gRPC method)
            response = super().RegisterResource(request)
            if request.type != STACK_TYPE:
                queue = sites.get((request.type, request.name))
                file, line = queue.popleft() if queue else ("", 0)
                registered = self.resources.get(response.urn)
                records[response.urn] = {
                    "type": request.type, "name": request.name, "custom": bool(request.custom),
                    "remote": bool(getattr(request, "remote", False)), "parent": request.parent or None,
                    "dependencies": list(request.dependencies),
                    "property_dependencies": {k: list(v.urns) for k, v in request.propertyDependencies.items()},
                    "provider": request.provider or None, "file": file, "line": line,
                    "inputs": _wire_unknowns(pmocks.rpc.deserialize_properties(request.object)) if request.object else {},
                    "outputs": dict(registered.state) if registered else {},
                    "id": response.id,
                }
                order.append(response.urn)
            return response

    real_init = pulumi.Resource.__init__

    def capturing_init(self, t, name, *args: Any, **kwargs: Any) -> None:  # noqa: ANN001
        sites[(t, name)].append(_call_site(root))
        return real_init(self, t, name, *args, **kwargs)

    env = {"PULUMI_CONFIG": json.dumps({k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}),
           "PULUMI_CONFIG_SECRET_KEYS": json.dumps(secret_keys), "PULUMI_PROJECT": project, "PULUMI_STACK": stack_name}
    saved_env = {k: os.environ.get(k) for k in env}
    saved_path, saved_cwd = list(sys.path), os.getcwd()
    saved_modules = set(sys.modules)
    try:
        os.environ.update(env)
        from pulumi.runtime import config as pconfig
        with contextlib.suppress(Exception):
            pconfig.CONFIG.clear()
            pconfig.CONFIG.update({k: os.environ["PULUMI_CONFIG"] and json.loads(os.environ["PULUMI_CONFIG"])[k] for k in config})
            pconfig.SECRET_KEYS.clear()
            pconfig.SECRET_KEYS.extend(secret_keys)
        psettings.set_root_resource(None)
        psettings.SETTINGS.rpc_manager.clear()
        psettings.SETTINGS.outputs.clear()
        pmocks.set_mocks(Mocks(), project=project, stack=stack_name, preview=True, monitor=Monitor(Mocks()))
        sys.path.insert(0, str(root))
        os.chdir(root)
        pulumi.Resource.__init__ = capturing_init
        _sync_await(run_pulumi_func(lambda: runpy.run_path(str(main), run_name="__main__")))
    except ModuleNotFoundError as exc:
        raise InputError(f"{main}: the program imports {exc.name!r}, which is not installed "
                         f"(pip install {exc.name.replace('_', '-') if exc.name else 'it'})") from None
    except SystemExit as exc:
        raise InputError(f"{main}: the program exited (status {exc.code}) before declaring its stack") from None
    except Exception as exc:  # noqa: BLE001 (whatever the program raises, it declared no complete stack)
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise InputError(f"{main}: the Pulumi program raised {type(exc).__name__}"
                         f"{': ' + detail if detail else ''} (at {_last_program_frame(exc, root)})") from None
    finally:
        pulumi.Resource.__init__ = real_init
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        for key, val in saved_env.items():
            if val is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = val
        for mod in set(sys.modules) - saved_modules:  # the program's own modules, not the SDKs
            if getattr(sys.modules[mod], "__file__", "") and str(root.resolve()) in str(sys.modules[mod].__file__):
                del sys.modules[mod]
        psettings.set_root_resource(None)
    return _stack(root, project, stack_name, config, records, order)


def _wire_unknowns(value: Any) -> Any:
    """An input the mocks cannot know yet (another resource's computed output, e.g. a zone's zone_id)
    arrives as pulumi.output.Unknown: give it Pulumi's wire sentinel, as a preview would."""
    from pulumi.output import Unknown

    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, dict):
        return {k: _wire_unknowns(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wire_unknowns(v) for v in value]
    return value


def _qualified(rec: dict, records: dict) -> str:
    parent = records.get(rec["parent"]) if rec["parent"] else None
    if parent is None:
        return rec["type"]
    return f"{_qualified(parent, records)}${rec['type']}"


def _stack(root: Path, project: str, stack_name: str, config: dict, records: dict, order: list) -> PulumiStack:
    urns = {m: f"urn:pulumi:{stack_name}::{project}::{_qualified(r, records)}::{r['name']}" for m, r in records.items()}
    by_mock_provider = {}
    for m, r in records.items():
        if r["type"].startswith(PROVIDER_PREFIX):
            by_mock_provider[f"{m}::{r['id']}"] = f"{urns[m]}::{r['id']}"
    resources, not_inspectable = [], []
    children = {r["parent"] for r in records.values() if r["parent"]}
    for m in order:
        r = records[m]
        if r["remote"] and not r["custom"] and m not in children:
            not_inspectable.append(f"{urns[m]} ({r['type']}: a multi-language component creates no resources under mocks)")
        rel = os.path.relpath(r["file"]) if r["file"] else str(root / "__main__.py")
        resources.append(PulumiResource(
            urn=urns[m], type=r["type"], name=r["name"], inputs=r["inputs"],
            outputs={**r["outputs"], "id": r["id"]}, parent=urns.get(r["parent"]),
            dependencies=[urns.get(d, d) for d in r["dependencies"]],
            property_dependencies={k: [urns.get(u, u) for u in v] for k, v in r["property_dependencies"].items()},
            custom=r["custom"], provider=by_mock_provider.get(r["provider"] or "", r["provider"]),
            file=rel if not rel.startswith("..") else r["file"], line=r["line"],
        ))
    return PulumiStack(origin=str(root), kind="program", resources=resources, config=config, not_inspectable=not_inspectable)
