"""Run a Pulumi Python program under ``pulumi.runtime.set_mocks`` in a child process: no CLI, no credentials.

The child (providers/pulumi/child.py) reports every registration with its type token, logical name,
inputs (camelCase wire names), parent, dependencies and per-property dependencies, and the file and
line of the constructor call in the user's program; this process judges. The program cannot reach
the judging code, print into the report or end the scan: any way the child ends without a complete
list is an input error (exit 2). URNs are computed here (the mock monitor's are cut at one parent level).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from brokerguard.errors import InputError
from brokerguard.providers.pulumi.model import PROVIDER_PREFIX, UNKNOWN, PulumiResource, PulumiStack
from brokerguard.schema import load_yaml

DEFAULT_STACK = "dev"  # the stack whose Pulumi.<stack>.yaml is read when --stack is not given
DEFAULT_TIMEOUT = 300  # seconds a program may run under mocks (--timeout)
OUTPUT_TAIL = 2000  # characters of the program's stderr quoted when it ends without a result
# The child's environment: what Python and the Pulumi SDK need, no credentials or tokens of the CI job.
PASSED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ", "SYSTEMROOT")
# Each field of a registration the child reports, and the type it must have.
RECORD_FIELDS: dict[str, tuple[type, ...]] = {
    "type": (str,), "name": (str,), "custom": (bool,), "remote": (bool,), "parent": (str, type(None)),
    "dependencies": (list,), "property_dependencies": (dict,), "provider": (str, type(None)), "file": (str,),
    "line": (int,), "inputs": (dict,), "outputs": (dict,), "id": (str, type(None)),
}


def is_program(path: Path) -> bool:
    return path.is_dir() and (path / "Pulumi.yaml").is_file() and (path / "__main__.py").is_file()


def _read_yaml(path: Path) -> dict:
    data = load_yaml(path) or {}
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping at the top level")
    return data


def default_stack(root: Path) -> str:
    """``dev``, as documented; when the program has stack files but no Pulumi.dev.yaml, which one
    would be deployed is not known: the run stops rather than judge a configuration none of them has."""
    stacks = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in root.glob("Pulumi.*.yaml"))
    if stacks and DEFAULT_STACK not in stacks:
        raise InputError(f"{root}: no Pulumi.{DEFAULT_STACK}.yaml for the default stack, and the program has "
                         f"stack settings for {', '.join(stacks)}: pass --stack NAME")
    return DEFAULT_STACK


def _config(root: Path, project: str, stack: str) -> tuple[dict[str, Any], list[str]]:
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
    stack_file = root / f"Pulumi.{stack}.yaml"
    if stack_file.is_file():
        for key, raw in (_read_yaml(stack_file).get("config") or {}).items():
            put(key, raw)
    return values, secrets


def _ending(proc: subprocess.CompletedProcess | None, stderr: Path) -> str:
    """How a child that reported nothing ended, with the last line it wrote to stderr."""
    if proc is None:
        how = "was stopped"
    elif proc.returncode < 0:
        try:
            how = f"was killed by {signal.Signals(-proc.returncode).name}"
        except ValueError:
            how = f"was killed by signal {-proc.returncode}"
    else:
        how = f"exited with status {proc.returncode}"
    tail = stderr.read_text(encoding="utf-8", errors="replace")[-OUTPUT_TAIL:].strip().splitlines()
    return how + (f"; its last error output: {tail[-1][:200]}" if tail else "")


def _records(result: Any, main: Path) -> tuple[dict, list]:
    """The child's report, checked for shape: a malformed list is an error, never read as empty."""
    if not isinstance(result, dict):
        raise InputError(f"{main}: the program under mocks reported no resource list")
    if "error" in result:
        raise InputError(str(result["error"]))
    records, order = result.get("records"), result.get("order")
    if not isinstance(records, dict) or not isinstance(order, list) or set(order) != set(records) \
            or not all(_well_formed(r) for r in records.values()):
        raise InputError(f"{main}: the program under mocks reported a malformed resource list")
    return records, order


def _well_formed(record: Any) -> bool:
    if not isinstance(record, dict) or set(record) != set(RECORD_FIELDS):
        return False
    if not all(isinstance(record[k], types) for k, types in RECORD_FIELDS.items()):
        return False
    deps = record["property_dependencies"]
    return all(isinstance(u, str) for u in record["dependencies"]) and all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(u, str) for u in v) for k, v in deps.items())


def _run_child(root: Path, request: dict, timeout: float) -> tuple[dict, list]:
    """Run the program in a child process; only the complete list it reports counts.

    Its own session, so that the time limit stops whatever it started too; stdout and stderr go
    to files here, never to brokerguard's streams (a report may be on stdout).
    """
    main = root / "__main__.py"
    env = {k: os.environ[k] for k in PASSED_ENV if k in os.environ}
    with tempfile.TemporaryDirectory(prefix="brokerguard-pulumi-") as tmp:
        request_file, result_file = Path(tmp) / "request.json", Path(tmp) / "result.json"
        stderr_file = Path(tmp) / "stderr.txt"
        request_file.write_text(json.dumps(request), encoding="utf-8")
        cmd = [sys.executable, "-I", "-m", "brokerguard.providers.pulumi.child", str(request_file), str(result_file)]
        with open(Path(tmp) / "stdout.txt", "wb") as out, open(stderr_file, "wb") as err:
            proc = subprocess.Popen(cmd, cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                    start_new_session=True)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                raise InputError(f"{main}: the program did not finish under mocks within {timeout:g} s "
                                 f"(an endless loop or a wait?); raise --timeout if it is only slow") from None
            finally:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)  # whatever the program started goes with it
                proc.wait()
        if not result_file.is_file():
            done = subprocess.CompletedProcess(cmd, proc.returncode)
            raise InputError(f"{main}: the program ended without reporting its resources "
                             f"(the child {_ending(done, stderr_file)})")
        try:
            result = json.loads(result_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise InputError(f"{main}: the program under mocks reported a malformed resource list") from None
    return _records(result, main)


def run_program(root: Path, stack: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> PulumiStack:
    """Run a Pulumi Python program under mocks in a child process and read what it registered."""
    if importlib.util.find_spec("pulumi") is None:
        raise InputError(f"{root}: a Pulumi program needs the pulumi package "
                         "(pip install 'brokerguard[pulumi]')")
    root = root.resolve()
    settings = _read_yaml(root / "Pulumi.yaml")
    project = str(settings.get("name") or root.name)
    runtime = settings.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name not in (None, "python"):
        raise InputError(f"{root / 'Pulumi.yaml'}: runtime {runtime_name!r}: only Python programs can be run here "
                         "(scan a `pulumi stack export` or `pulumi preview --json` instead)")
    if stack is not None and not (root / f"Pulumi.{stack}.yaml").is_file():
        raise InputError(f"{root / f'Pulumi.{stack}.yaml'}: no such stack settings file (for --stack {stack})")
    stack_name = stack or default_stack(root)
    config, secret_keys = _config(root, project, stack_name)
    request = {"root": str(root), "project": project, "stack": stack_name, "secret_keys": secret_keys,
               "config": {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}}
    records, order = _run_child(root, request, timeout)
    return _stack(root, project, stack_name, config, records, order)


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
