"""A Pulumi source, recognised by content and translated to Terraform's plan JSON shape.

    program  a directory with Pulumi.yaml and __main__.py (run under mocks)
    export   a JSON with `deployment` (pulumi stack export) or `checkpoint` (file backend state)
    preview  a JSON with `steps` (pulumi preview --json)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from brokerguard.errors import InputError
from brokerguard.providers.plan import PlanSource
from brokerguard.providers.pulumi import program, state
from brokerguard.providers.pulumi.model import PulumiStack
from brokerguard.providers.pulumi.translate import translate

is_program = program.is_program
is_document = state.kind_of


def from_stack(stack: PulumiStack, root: Path) -> PlanSource:
    """Translate what a Pulumi source holds; the same checks then judge it as a Terraform plan."""
    t = translate(stack)
    return PlanSource(root=root, kind=f"pulumi-{stack.kind}", plan=t.plan, resources=tuple(t.resources),
                      locations=t.locations, unknown=t.unknown, unmapped=tuple(t.unmapped),
                      not_inspectable=tuple(t.not_inspectable), notes=tuple(t.notes))


def open_program(path: Path, stack: str | None = None, timeout: float = program.DEFAULT_TIMEOUT) -> PlanSource:
    return from_stack(program.run_program(path, stack, timeout), path)


def read_document(path: Path, doc: Any) -> PlanSource:
    """A stack export, file-backend checkpoint or preview already read from ``path``."""
    kind = state.kind_of(doc)
    if kind == "export":
        return from_stack(state.read_export(path, doc), path)
    if kind == "preview":
        return from_stack(state.read_preview(path, doc), path)
    raise InputError(f"{path}: not a Pulumi export (deployment/checkpoint) or preview (steps)")
