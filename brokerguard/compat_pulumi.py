"""The one place that touches the Pulumi SDK's internals (in the child process that runs a program).

brokerguard runs a program under the SDK's mocks and replaces two of its methods to see what the
program declares (``Resource.__init__`` for call sites, ``Output.apply`` to probe callbacks on
values the mocks leave unknown). Each was verified against the exact versions in VERIFIED; at
import this module checks them, and that every attribute in PATCHED still exists with the
parameters it was verified with, so an upgrade fails here with the list to re-verify.
"""

from __future__ import annotations

import inspect
from importlib import metadata
from typing import Any

import pulumi
from pulumi import output as _output
from pulumi.runtime import mocks
from pulumi.runtime import stack as _stack
from pulumi.runtime import sync_await as _sync

VERIFIED = {"pulumi": "3.223.0"}
PATCHED = (
    (pulumi.Resource, "__init__", ("self", "t", "name", "custom", "props", "opts", "remote", "dependency",
                                   "package_ref")),
    (pulumi.Output, "apply", ("self", "func", "run_with_unknowns")),
    (mocks, "set_mocks", ("mocks", "project", "stack", "preview", "logger", "monitor", "organization")),
    (mocks.MockMonitor, "RegisterResource", ("self", "request")),
    (mocks.rpc, "deserialize_properties", None),
    (_stack, "run_pulumi_func", ("func",)),
    (_sync, "_sync_await", ("awaitable",)),
    (_output, "contains_unknowns", ("val",)),
    (_output, "Unknown", None),
)


class IncompatiblePulumiError(RuntimeError):
    pass


def _check() -> None:
    found = metadata.version("pulumi")
    if found != VERIFIED["pulumi"]:
        raise IncompatiblePulumiError(
            f"brokerguard was verified with pulumi {VERIFIED['pulumi']}, this is {found}: re-verify "
            + ", ".join(f"{getattr(o, '__name__', o)}.{a}" for o, a, _ in PATCHED) + " in brokerguard/compat_pulumi.py")
    for owner, name, params in PATCHED:
        target = getattr(owner, name, None)
        if target is None:
            raise IncompatiblePulumiError(f"pulumi has no {owner.__name__}.{name}: re-verify brokerguard/compat_pulumi.py")
        if params is not None and tuple(inspect.signature(target).parameters) != params:
            raise IncompatiblePulumiError(f"pulumi's {owner.__name__}.{name} takes "
                                          f"{tuple(inspect.signature(target).parameters)}, verified with {params}")


_check()

Unknown = _output.Unknown
contains_unknowns = _output.contains_unknowns
Mocks = mocks.Mocks
MockMonitor = mocks.MockMonitor
deserialize_properties = mocks.rpc.deserialize_properties
set_mocks = mocks.set_mocks


def run_program(main: Any) -> None:
    """Run ``main`` as the Pulumi CLI's language host would, to completion of every registration."""
    _sync._sync_await(_stack.run_pulumi_func(main))


def replace(owner: Any, name: str, new: Any) -> Any:
    """Put ``new`` in place of a PATCHED attribute; return the original."""
    if (owner, name) not in {(o, n) for o, n, _ in PATCHED}:
        raise ValueError(f"{name} is not an attribute compat_pulumi verified")
    original = getattr(owner, name)
    setattr(owner, name, new)
    return original
