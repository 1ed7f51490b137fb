"""A Pulumi source, recognised by content and translated to Terraform's plan JSON shape.

    program  a directory with Pulumi.yaml and __main__.py (run under mocks)
    export   a JSON with `deployment` (pulumi stack export) or `checkpoint` (file backend state)
    preview  a JSON with `steps` (pulumi preview --json)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from brokerguard.errors import InputError
from brokerguard.model import Finding
from brokerguard.providers.pulumi import program, state
from brokerguard.providers.pulumi.translate import Translation, translate


@dataclass(frozen=True)
class PulumiSource:
    root: Path
    kind: str
    translation: Translation
    framework: str = "terraform_plan"

    @property
    def plan(self) -> dict:
        return self.translation.plan

    @property
    def locations(self) -> dict[str, tuple[str, int, str]]:
        return self.translation.locations

    @property
    def unmapped_types(self) -> list[str]:
        return sorted({t for _, t in self.translation.unmapped})


def detect(path: Path) -> str | None:
    """program, export, preview, or None when the path is not a Pulumi source."""
    if program.is_program(path):
        return "program"
    if path.is_file() and path.suffix.lower() == ".json":
        with path.open("rb") as fh:
            head = fh.read(4096).lstrip()
        if head.startswith(b"{") and (b'"deployment"' in head or b'"checkpoint"' in head or b'"steps"' in head):
            return "json"
    return None


def open_pulumi(path: Path, stack: str | None = None) -> PulumiSource:
    if program.is_program(path):
        pstack = program.run_program(path, stack)
    else:
        doc = state.load_json(path)
        kind = state.kind_of(doc)
        if kind == "export":
            pstack = state.read_export(path, doc)
        elif kind == "preview":
            pstack = state.read_preview(path, doc)
        else:
            raise InputError(f"{path}: not a Pulumi export (deployment/checkpoint) or preview (steps)")
    return PulumiSource(root=path, kind=pstack.kind, translation=translate(pstack))


# Attributes a check or stack rule reads: when one is secret or unknown, a pass would be a guess.
JUDGED_ATTRIBUTES = {
    "tags", "tags_all", "associate_public_ip_address", "network_interface", "network_interfaces",
    "publicly_accessible", "web_acl_id", "internal", "load_balancer_type", "subnet_id", "subnet_ids",
    "vpc_security_group_ids", "security_groups", "ingress", "route", "cidr_blocks", "ipv6_cidr_blocks",
    "cidr_ipv4", "cidr_ipv6", "gateway_id", "destination_cidr_block", "vpc_id", "vpc_endpoint_type",
    "resource_arn", "db_subnet_group_name", "subnets", "subnet_mapping", "type",
}


# What each Checkov check reads (policies/checkov/); stack rules follow the network (the set above).
CHECK_ATTRIBUTES = {
    "CKV_TWB_001": {"tags", "tags_all", "tag"},
    "CKV_TWB_002": {"tags", "tags_all", "associate_public_ip_address", "network_interface", "network_interfaces"},
    "CKV_TWB_003": {"tags", "tags_all", "publicly_accessible"},
    "CKV_TWB_004": {"web_acl_id"},
    "CKV2_TWB_001": {"internal", "load_balancer_type"},
}


def cannot_judge(findings: list[Finding], source: PulumiSource) -> list[Finding]:
    """A pass that rests on a secret or unknown value becomes a failure saying it cannot be judged."""
    out = []
    for f in findings:
        gaps = {a: why for a, why in source.translation.unknown.get(f.resource, {}).items()
                if a.split(".")[0].split("[")[0] in CHECK_ATTRIBUTES.get(f.check_id, JUDGED_ATTRIBUTES)}
        if gaps:
            what = "cannot judge: " + ", ".join(f"{a} ({why})" for a, why in sorted(gaps.items()))
            f = Finding(check_id=f.check_id, check_name=f.check_name, resource=f.resource, file=f.file, line=f.line,
                        passed=False, message=what if f.passed else f"{what}; {f.message}", guideline=f.guideline,
                        attestable=f.attestable)
        out.append(f)
    return out
