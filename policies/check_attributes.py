"""Which attributes each check reads, so that a pass resting on a value the source does not know
(a Pulumi secret, a preview's computed output, a plan's "known after apply") is not a pass."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from brokerguard.model import Finding

# Attributes a check or stack rule reads: when one is secret or unknown, a pass would be a guess.
JUDGED_ATTRIBUTES = {
    "tags", "tags_all", "associate_public_ip_address", "network_interface", "network_interfaces",
    "publicly_accessible", "web_acl_id", "internal", "load_balancer_type", "subnet_id", "subnet_ids",
    "vpc_security_group_ids", "security_groups", "ingress", "route", "cidr_blocks", "ipv6_cidr_blocks",
    "cidr_ipv4", "cidr_ipv6", "gateway_id", "destination_cidr_block", "vpc_id", "vpc_endpoint_type",
    "resource_arn", "db_subnet_group_name", "subnets", "subnet_mapping", "type",
}


# What each check or stack rule reads (policies/checkov/, policies/stack_rules/); the rest follow the network
# (the set above).
CHECK_ATTRIBUTES = {
    "CKV_TWB_001": {"tags", "tags_all", "tag"},
    "CKV_TWB_002": {"tags", "tags_all", "associate_public_ip_address", "network_interface", "network_interfaces"},
    "CKV_TWB_003": {"tags", "tags_all", "publicly_accessible"},
    "CKV_TWB_004": {"web_acl_id"},
    "CKV2_TWB_001": {"internal", "load_balancer_type"},
    "CKV_TWB_010": {"tags", "tags_all"},
    "CKV_TWB_011": {"logging_configuration"},
    "CKV_TWB_012": {"rule"},
    "CKV_TWB_013": {"rule", "default_action"},
    "CKV_TWB_014": {"rule"},
    # Connections: the linking attribute sits on the logging configuration, which is not the judged resource.
    "CKV2_TWB_010": set(),
    "CKV2_TWB_011": set(),
    # Stack rules, on the resource they anchor their finding to.
    "TWB_STACK_010": {"firewall_policy"},
    "TWB_STACK_011": {"logging_configuration"},
    "TWB_STACK_012": {"rule"},
    "TWB_STACK_013": {"firewall_policy_arn", "enable", "traffic_mirror_target_id"},
    # mail filtering, antivirus, threat detection, APT defence, business continuity
    "CKV_TWB_030": {"scan_enabled", "tls_policy"},
    "CKV_TWB_031": {"enable"},
    "CKV_TWB_032": {"is_multi_region_trail", "enable_log_file_validation", "enable_logging"},
    "CKV_TWB_033": {"tags", "tags_all", "multi_az", "replicate_source_db"},
    "CKV_TWB_034": {"tags", "tags_all", "backup_retention_period", "replicate_source_db"},
    "CKV_TWB_035": {"tags", "tags_all", "tag", "vpc_zone_identifier", "availability_zones"},
    "CKV_TWB_036": {"tags", "tags_all", "tag"},
    "CKV2_TWB_030": {"domain"},
    "TWB_STACK_020": {"domain", "email_identity"},
    "TWB_STACK_021": {"tags", "tags_all", "tag"},
    "TWB_STACK_022": {"bucket", "cors_rule"},
    "TWB_STACK_023": {"enable"},
    "TWB_STACK_024": set(),
    "TWB_STACK_025": set(),
    "TWB_STACK_026": set(),  # the VPC's flow logs are other resources; its own id is always known after apply
    "TWB_STACK_027": {"event_pattern", "state", "is_enabled", "name"},
    "TWB_STACK_028": {"name", "status", "auto_enable", "datasources"},
    "TWB_STACK_029": set(),
    "TWB_STACK_030": {"arn"},
    "TWB_STACK_031": {"tags", "tags_all", "replicate_source_db"},
}


# Stack rules and connection checks judge a resource by what it is linked to (its security groups,
# their rules, its subnet's routes): an unknown there is as much a guess as one on the resource.
LINKED_CHECK_PREFIXES = ("TWB_STACK_", "CKV2_")
LINK_HOPS = 2


def _gaps(attrs: Mapping[str, str], allowed: set[str]) -> dict[str, str]:
    return {a: why for a, why in attrs.items() if a.split(".")[0].split("[")[0] in allowed}


def cannot_judge(findings: list[Finding], unknown: Mapping[str, Mapping[str, str]],
                 linked: Callable[[str], Iterable[str]] | None = None) -> list[Finding]:
    """A finding that rests on an unknown attribute fails, saying it cannot be judged and why.

    ``linked`` gives the addresses a resource refers to or is referred to by; for the checks that
    follow links, unknown network attributes of resources within two links count too.
    """
    out = []
    for f in findings:
        reads = CHECK_ATTRIBUTES.get(f.check_id, JUDGED_ATTRIBUTES)
        gaps = _gaps(unknown.get(f.resource, {}), reads)
        if linked is not None and unknown and reads and f.check_id.startswith(LINKED_CHECK_PREFIXES):
            seen, frontier = {f.resource}, [f.resource]
            for _ in range(LINK_HOPS):
                # Not through a VPC: every resource of the network refers to it, and it links nothing.
                frontier = [n for a in frontier if a == f.resource or not a.split(".")[-2].endswith("aws_vpc")
                            for n in linked(a) if n not in seen]
                seen.update(frontier)
                for n in frontier:
                    gaps.update({f"{n}: {a}": why for a, why in _gaps(unknown.get(n, {}), reads).items()})
        if gaps:
            what = "cannot judge: " + ", ".join(f"{a} ({why})" for a, why in sorted(gaps.items()))
            f = Finding(check_id=f.check_id, check_name=f.check_name, resource=f.resource, file=f.file, line=f.line,
                        passed=False, message=what if f.passed else f"{what}; {f.message}", guideline=f.guideline,
                        attestable=f.attestable)
        out.append(f)
    return out
