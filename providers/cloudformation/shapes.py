"""Property shapes CloudFormation and Terraform write differently (mapping.yaml names them): a function
takes the converter and the evaluated property and returns the Terraform value, several attributes
({"__attributes__": True, ...}), or, for a split, the parts of a second resource."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from brokerguard.providers.cloudformation.values import Ref, Text, Unknown, refs_in, unknown_in


class Map(dict):
    """A map whose keys are data (tags, a log destination), not attribute names: kept as written."""


@dataclass
class Split:
    tf_type: str
    link: str  # the attribute of each part that refers back to the resource it came from
    parts: list[tuple[str, dict[str, Any]]]  # (address suffix, attribute tree)


def _list(raw: Any) -> list:
    return raw if isinstance(raw, list) else [raw]


def _rules(conv: Any, raw: Any) -> Any:
    """SecurityGroupIngress/Egress entries -> ingress/egress blocks (one CIDR each, as CloudFormation has)."""
    if not isinstance(raw, list):
        return raw
    out = []
    for rule in raw:
        if not isinstance(rule, dict):
            return Unknown("a security group rule not known before deployment", tuple(refs_in(rule)))
        block: dict[str, Any] = {
            "from_port": rule.get("FromPort"),
            "to_port": rule.get("ToPort"),
            "protocol": rule.get("IpProtocol"),
            "description": rule.get("Description"),
            "cidr_blocks": [rule["CidrIp"]] if "CidrIp" in rule else [],
            "ipv6_cidr_blocks": [rule["CidrIpv6"]] if "CidrIpv6" in rule else [],
            "prefix_list_ids": [p for p in (rule.get("SourcePrefixListId"), rule.get("DestinationPrefixListId")) if p],
            "security_groups": [g for g in (rule.get("SourceSecurityGroupId"), rule.get("DestinationSecurityGroupId")) if g],
        }
        out.append({k: v for k, v in block.items() if v is not None})
    return out


def _flow_log_target(conv: Any, raw: Any) -> Any:
    kind = conv.props.get("ResourceType")
    attr = {
        "VPC": "vpc_id",
        "Subnet": "subnet_id",
        "NetworkInterface": "eni_id",
        "TransitGateway": "transit_gateway_id",
        "TransitGatewayAttachment": "transit_gateway_attachment_id",
    }.get(kind)
    if attr is None:
        return {
            "__attributes__": True,
            "vpc_id": Unknown("ResourceType of the flow log is not known before deployment"),
            "subnet_id": Unknown("ResourceType of the flow log is not known before deployment"),
        }
    return {"__attributes__": True, attr: raw}


def _instance_nics(conv: Any, raw: Any) -> Any:
    """An instance's NetworkInterfaces: the public address flag and subnet of its interfaces lifted to the
    instance, where the checks read them for Terraform's aws_instance."""
    if not isinstance(raw, list):
        return {"__attributes__": True, "associate_public_ip_address": Unknown("network interfaces not known before deployment")}
    flags = [n.get("AssociatePublicIpAddress") for n in raw if isinstance(n, dict)]
    out: dict[str, Any] = {
        "__attributes__": True,
        "network_interface": [
            {"device_index": n.get("DeviceIndex"), "network_interface_id": n.get("NetworkInterfaceId")}
            for n in raw
            if isinstance(n, dict)
        ],
    }
    if any(f in (True, "true") for f in flags):
        out["associate_public_ip_address"] = True
    elif any(isinstance(f, (Unknown, Ref, Text)) for f in flags):
        out["associate_public_ip_address"] = Unknown("AssociatePublicIpAddress is not known before deployment")
    first = next((n for n in raw if isinstance(n, dict) and str(n.get("DeviceIndex", "0")) == "0"), None)
    if first:
        if "SubnetId" in first:
            out["subnet_id"] = first["SubnetId"]
        if "GroupSet" in first:
            out["vpc_security_group_ids"] = first["GroupSet"]
    return out


def _tag_blocks(conv: Any, raw: Any) -> Any:
    if not isinstance(raw, list):
        return Unknown("Tags not known before deployment")
    return [
        {"key": t.get("Key"), "value": t.get("Value"), "propagate_at_launch": t.get("PropagateAtLaunch")}
        for t in raw
        if isinstance(t, dict)
    ]


def _lb_scheme(conv: Any, raw: Any) -> Any:
    if isinstance(raw, str):
        return raw == "internal"
    return Unknown("Scheme is not known before deployment")


def _ecs_network(conv: Any, raw: Any) -> Any:
    vpc = raw.get("AwsvpcConfiguration") if isinstance(raw, dict) else None
    if not isinstance(vpc, dict):
        return Unknown("NetworkConfiguration is not known before deployment")
    assign = vpc.get("AssignPublicIp", "DISABLED")
    return [
        {
            "subnets": vpc.get("Subnets", []),
            "security_groups": vpc.get("SecurityGroups", []),
            "assign_public_ip": assign == "ENABLED" if isinstance(assign, str) else Unknown("AssignPublicIp is not known"),
        }
    ]


def _s3_cors(conv: Any, raw: Any) -> list[tuple[str, dict]]:
    rules = raw.get("CorsRules") if isinstance(raw, dict) else raw
    return [("", {"cors_rule": conv.value("CorsRules", rules)})]


def _s3_lifecycle(conv: Any, raw: Any) -> list[tuple[str, dict]]:
    rules = raw.get("Rules") if isinstance(raw, dict) else None
    if not isinstance(rules, list):
        return [("", {"rule": Unknown("LifecycleConfiguration is not known before deployment")})]
    out = []
    for r in rules:
        if not isinstance(r, dict):
            continue
        rule: dict[str, Any] = {"id": r.get("Id"), "status": r.get("Status")}
        if "ExpirationInDays" in r:
            rule["expiration"] = [{"days": r["ExpirationInDays"]}]
        flt: dict[str, Any] = {}
        if "Prefix" in r:
            flt["prefix"] = r["Prefix"]
        if r.get("TagFilters"):
            flt["tag"] = [{"key": t.get("Key"), "value": t.get("Value")} for t in r["TagFilters"] if isinstance(t, dict)]
        if flt:
            rule["filter"] = [flt]
        out.append({k: v for k, v in rule.items() if v is not None})
    return [("", {"rule": out})]


def _regex_list(conv: Any, raw: Any) -> Any:
    return [{"regex_string": r} for r in raw] if isinstance(raw, list) else raw


def _firehose_s3(conv: Any, raw: Any) -> Any:
    return {"__attributes__": True, "destination": "extended_s3", "extended_s3_configuration": conv.value("S3", raw)}


def _guardduty_features(conv: Any, raw: Any) -> list[tuple[str, dict]]:
    if not isinstance(raw, list):
        return [("", {"name": Unknown("Features not known before deployment")})]
    return [(str(f.get("Name", i)).lower(), conv.block(f)) for i, f in enumerate(raw) if isinstance(f, dict)]


def _json_text(conv: Any, raw: Any) -> Any:
    """A policy-like document: Terraform's plan holds it as JSON text."""
    if isinstance(raw, (dict, list)):
        gap = unknown_in(raw)
        if gap or refs_in(raw):
            return Unknown(gap.why if gap else "a document with references to other resources", tuple(refs_in(raw)))
        return json.dumps(raw, sort_keys=True)
    return raw


def _event_targets(conv: Any, raw: Any) -> list[tuple[str, dict]]:
    if not isinstance(raw, list):
        return [("", {"arn": Unknown("Targets not known before deployment")})]
    return [
        (
            str(t.get("Id", i)).lower().replace("-", "_"),
            {"arn": t.get("Arn"), "target_id": t.get("Id"), "role_arn": t.get("RoleArn")},
        )
        for i, t in enumerate(raw)
        if isinstance(t, dict)
    ]


def _ssm_parameters(conv: Any, raw: Any) -> Any:
    """Association parameters are lists of strings in CloudFormation, strings in Terraform."""
    if not isinstance(raw, dict):
        return raw
    return Map({k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in raw.items()})


def _ses_actions(conv: Any, raw: Any) -> Any:
    """[{S3Action: {...}}, {LambdaAction: ...}] -> s3_action/lambda_action blocks with their positions."""
    out: dict[str, Any] = {"__attributes__": True}
    for position, action in enumerate(raw if isinstance(raw, list) else [], start=1):
        for kind, body in action.items() if isinstance(action, dict) else ():
            block = conv.block(body) if isinstance(body, dict) else {}
            out.setdefault(conv_snake(kind), []).append({**block, "position": position})
    return out


def _ses_identity(conv: Any, raw: Any) -> Any:
    """A domain identity (Easy DKIM on unless turned off, MAIL FROM when set) or an email address."""
    if isinstance(raw, str) and "@" in raw:
        return {"__attributes__": True, "__type__": "aws_sesv2_email_identity", "email_identity": raw}
    out = {"__attributes__": True, "domain": raw}
    signing = (conv.props.get("DkimAttributes") or {}).get("SigningEnabled", True)
    if signing not in (False, "false"):
        why = None if signing in (True, "true") else Unknown("DkimAttributes.SigningEnabled is not known before deployment")
        conv.splits.append(Split("aws_ses_domain_dkim", "domain", [("", {} if why is None else {"dkim_tokens": why})]))
    mail_from = (conv.props.get("MailFromAttributes") or {}).get("MailFromDomain")
    if mail_from is not None:
        conv.splits.append(Split("aws_ses_domain_mail_from", "domain", [("", {"mail_from_domain": mail_from})]))
    return out


def _txt_records(conv: Any, raw: Any) -> Any:
    """TXT values are quoted in CloudFormation ('"v=spf1 ..."') and unquoted in Terraform."""
    if conv.props.get("Type") != "TXT" or not isinstance(raw, list):
        return raw
    out = []
    for r in raw:
        if isinstance(r, str) and r.startswith('"') and r.endswith('"'):
            r = "".join(chunk for chunk in r[1:-1].split('" "'))
        out.append(r)
    return out


def conv_snake(name: str) -> str:
    """CloudFormation's PascalCase -> Terraform's snake_case, acronyms kept whole (VPCZoneIdentifier -> vpc_zone_identifier)."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


SHAPES: dict[str, Callable[[Any, Any], Any]] = {
    "security_group_rules": _rules,
    "flow_log_target": _flow_log_target,
    "drop": lambda conv, raw: None,
    "instance_network_interfaces": _instance_nics,
    "tag_blocks": _tag_blocks,
    "lb_scheme": _lb_scheme,
    "ecs_network": _ecs_network,
    "s3_cors": _s3_cors,
    "s3_lifecycle": _s3_lifecycle,
    "regex_list": _regex_list,
    "firehose_s3": _firehose_s3,
    "guardduty_features": _guardduty_features,
    "json_text": _json_text,
    "event_targets": _event_targets,
    "ssm_parameters": _ssm_parameters,
    "ses_actions": _ses_actions,
    "ses_identity": _ses_identity,
    "txt_records": _txt_records,
}
