"""The child process that runs one Pulumi Python program under mocks and reports what it registered.

    python -I -m brokerguard.providers.pulumi.child REQUEST RESULT

REQUEST is a JSON file written by the parent (root, project, stack, config, secret keys); RESULT gets
``{"records": {...}, "order": [...]}`` when the program ran to its end, or ``{"error": "one line"}``.
Nothing is judged here: the parent reads RESULT, and only a complete list counts. The program's
prints go to files the parent keeps out of the report stream. The child ends with os._exit, so that
neither a thread the program left running nor its atexit handlers can hold the scan or add to it.
"""

from __future__ import annotations

import collections
import json
import os
import runpy
import sys
import threading
import traceback
from pathlib import Path
from typing import Any

from brokerguard.providers.pulumi.model import STACK_TYPE, UNKNOWN


class NotInspectableError(Exception):
    """The program did something whose resources the mocks cannot show."""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else ""


def _in(root_s: str, filename: str) -> bool:
    return os.path.abspath(filename).startswith(root_s)


def _call_site(root_s: str, depth: int = 2) -> tuple[str, int]:
    """The innermost frame in the user's program (raw frames: inspect.stack() resolves every module)."""
    frame = sys._getframe(depth)
    while frame is not None:
        if _in(root_s, frame.f_code.co_filename):
            return os.path.abspath(frame.f_code.co_filename), frame.f_lineno
        frame = frame.f_back
    return "", 0


def _last_program_frame(exc: BaseException, root_s: str) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if _in(root_s, f.filename)]
    frame = (mine or frames or [None])[-1]
    return f"{frame.filename}:{frame.lineno}" if frame else "?"


def _wire(value: Any) -> Any:
    """Plain JSON for the parent: an unknown (or anything that is not data, e.g. an Asset) is
    Pulumi's unknown sentinel, as a preview would show it; never a value that could pass a check."""
    from brokerguard.compat_pulumi import Unknown
    from brokerguard.providers.pulumi.mocks import LOOKED_UP

    if isinstance(value, Unknown) or (isinstance(value, str) and value in LOOKED_UP):
        return UNKNOWN
    if isinstance(value, dict):
        return {str(k): _wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_wire(v) for v in value]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    return UNKNOWN


class _Probe(str):
    """Stands in for a value unknown under mocks when an apply() callback is run to see whether it
    creates resources: text that indexes, iterates and formats to itself."""

    def __getitem__(self, key: Any) -> _Probe:
        return self

    def __iter__(self):  # noqa: ANN204
        return iter([self])

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def get(self, *args: Any) -> _Probe:
        return self


def _probe_value(value: Any) -> Any:
    from brokerguard.compat_pulumi import Unknown

    if isinstance(value, Unknown):
        return _Probe(UNKNOWN)
    if isinstance(value, dict):
        return {k: _probe_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_probe_value(v) for v in value]
    return value


class _Recorder:
    """Registrations as the mock monitor sees them, with the program's file and line of each."""

    def __init__(self, root: Path) -> None:
        self.root_s = str(root) + os.sep
        self.sites: dict[tuple[str, str], collections.deque] = collections.defaultdict(collections.deque)
        self.records: dict[str, dict] = {}
        self.order: list[str] = []
        self.probing = 0  # > 0 while an apply() callback on an unknown value is being probed
        self.blocked: list[str] = []  # resources such a callback would create: the mocks cannot show them

    def install(self, mocks: Any) -> Any:
        import pulumi

        from brokerguard import compat_pulumi

        recorder = self

        def capturing_init(res: Any, t: str, name: str, *args: Any, **kwargs: Any) -> None:
            site = _call_site(recorder.root_s)
            if recorder.probing:  # recorded first: the callback may swallow the exception
                recorder.blocked.append(f"{t} {name!r} is created at {site[0]}:{site[1]} inside apply() on a "
                                        f"value unknown under mocks, so the mocks cannot show it")
                raise NotInspectableError(recorder.blocked[-1])
            recorder.sites[(t, name)].append(site)
            real_init(res, t, name, *args, **kwargs)

        def probing_apply(out: Any, func: Any, run_with_unknowns: bool = False) -> Any:
            if run_with_unknowns or not _in(recorder.root_s, sys._getframe(1).f_code.co_filename):
                return real_apply(out, func, run_with_unknowns)  # Pulumi's own lifting, or asked for unknowns
            def run(value: Any) -> Any:
                if not compat_pulumi.contains_unknowns(value):
                    return func(value)
                recorder.probe(func, value)
                return pulumi.Output(set(), _done(None), _done(False))  # stays unknown, as Pulumi leaves it

            return real_apply(out, run, True)

        class Monitor(compat_pulumi.MockMonitor):
            def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
                response = super().RegisterResource(request)
                if request.type != STACK_TYPE:
                    recorder.register(request, response, self.resources.get(response.urn))
                return response

        real_init = compat_pulumi.replace(pulumi.Resource, "__init__", capturing_init)
        real_apply = compat_pulumi.replace(pulumi.Output, "apply", probing_apply)
        return Monitor(mocks)

    def probe(self, func: Any, value: Any) -> None:
        self.probing += 1
        try:
            func(_probe_value(value))
        except Exception:  # noqa: BLE001 (the stand-in is not the real value: a callback may reject it)
            pass
        finally:
            self.probing -= 1

    def register(self, request: Any, response: Any, registered: Any) -> None:
        from brokerguard.compat_pulumi import deserialize_properties

        queue = self.sites.get((request.type, request.name))
        file, line = queue.popleft() if queue else ("", 0)
        self.records[response.urn] = {
            "type": request.type, "name": request.name, "custom": bool(request.custom),
            "remote": bool(getattr(request, "remote", False)), "parent": request.parent or None,
            "dependencies": list(request.dependencies),
            "property_dependencies": {k: list(v.urns) for k, v in request.propertyDependencies.items()},
            "provider": request.provider or None, "file": file, "line": line,
            "inputs": _wire(deserialize_properties(request.object)) if request.object else {},
            "outputs": _wire(dict(registered.state)) if registered else {},
            "id": response.id,
        }
        self.order.append(response.urn)


def _done(value: Any) -> Any:
    import asyncio

    fut = asyncio.get_event_loop().create_future()
    fut.set_result(value)
    return fut


def _sdk_threads() -> set[threading.Thread]:
    """The workers of the event loop's default executor, where the Pulumi SDK runs its RPCs."""
    import asyncio

    executor = getattr(asyncio.get_event_loop(), "_default_executor", None)
    return set(getattr(executor, "_threads", ()) or ())


def run(request: dict) -> dict:
    """Run the program; every way it can end becomes a result or an error line."""
    root = Path(request["root"])
    main = root / "__main__.py"
    env = {"PULUMI_CONFIG": json.dumps(request["config"]), "PULUMI_CONFIG_SECRET_KEYS": json.dumps(request["secret_keys"]),
           "PULUMI_PROJECT": request["project"], "PULUMI_STACK": request["stack"]}
    os.environ.update(env)
    from brokerguard import compat_pulumi
    from brokerguard.providers.pulumi.mocks import DataSourceMocks

    recorder = _Recorder(root)
    mocks = DataSourceMocks()
    monitor = recorder.install(mocks)
    compat_pulumi.set_mocks(mocks, project=request["project"], stack=request["stack"], preview=True, monitor=monitor)
    sys.path.insert(0, str(root))
    os.chdir(root)
    before = set(threading.enumerate())
    try:
        compat_pulumi.run_program(lambda: runpy.run_path(str(main), run_name="__main__"))
    except ModuleNotFoundError as exc:
        return {"error": f"{main}: the program imports {exc.name!r}, which is not installed "
                         f"(pip install {exc.name.replace('_', '-') if exc.name else 'it'})"}
    except SystemExit as exc:
        return {"error": f"{main}: the program exited (status {exc.code}) before declaring its stack"}
    except BaseException as exc:  # noqa: BLE001 (KeyboardInterrupt, GeneratorExit, a BaseException of its own)
        detail = _first_line(exc)
        return {"error": f"{main}: the Pulumi program raised {type(exc).__name__}"
                         f"{': ' + detail if detail else ''} (at {_last_program_frame(exc, recorder.root_s)})"}
    if recorder.blocked:
        return {"error": f"{main}: not inspectable: {recorder.blocked[0]}"}
    left = [t for t in threading.enumerate() if t not in before and t.is_alive() and t not in _sdk_threads()]
    if left:  # it may register more resources after this point: the list would not be complete
        return {"error": f"{main}: the program left thread {left[0].name!r} running after it ended; "
                         f"what it declares is not complete"}
    return {"records": recorder.records, "order": recorder.order}


def main(argv: list[str]) -> None:
    request_file, result_file = argv
    with open(request_file, encoding="utf-8") as fh:
        request = json.load(fh)
    try:
        result = run(request)
    except BaseException as exc:  # noqa: BLE001 (the recorder itself failed: say so, one line)
        result = {"error": f"{request['root']}: the program could not be run under mocks "
                           f"({type(exc).__name__}: {_first_line(exc)})"}
    tmp = f"{result_file}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(result, fh)
    os.replace(tmp, result_file)  # the parent sees a whole result or none
    os._exit(0)  # unflushed prints of the program are dropped: they never reach the report anyway


if __name__ == "__main__":
    main(sys.argv[1:])
