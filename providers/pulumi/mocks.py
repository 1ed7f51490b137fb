"""What the mocks answer: plausible values for the data sources real programs call, so that they run.

Checked against the Python programs of pulumi/examples (aws-py-eks, aws-py-wordpress-fargate-rds,
aws-py-hub-and-spoke-network, aws-py-webserver, ...): availability zones, AMIs, caller identity,
region, partition, the default VPC and its subnets, route tables, hosted zones, policy documents,
ECR tokens. A looked-up network object (VPC, subnet, security group, route table, hosted zone) is
not in the stack: its routing and exposure are unknown. Its id is a plausible string for the
program, recorded in ``LOOKED_UP``; the child reports each value as Pulumi's unknown sentinel, so
a check that reads it says "cannot judge" and never passes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from brokerguard.compat_pulumi import Mocks

REGION = "ap-northeast-1"
ACCOUNT = "123456789012"
ZONES = ("ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d")
# ids the mocks handed out for objects the stack does not declare: unknown to every check
LOOKED_UP: set[str] = set()


def _looked_up(prefix: str, *parts: object) -> str:
    value = f"{prefix}-{hashlib.sha1(repr(parts).encode()).hexdigest()[:17]}"
    LOOKED_UP.add(value)
    return value


def _policy_document(args: dict) -> dict:
    """The policy JSON a real getPolicyDocument would render, close enough for a program to use."""
    statements = []
    for s in args.get("statements") or []:
        out: dict[str, Any] = {"Effect": s.get("effect", "Allow")}
        for key, wire in (("actions", "Action"), ("resources", "Resource"), ("notActions", "NotAction")):
            if s.get(key):
                out[wire] = s[key]
        for p in s.get("principals") or []:
            out.setdefault("Principal", {})[p.get("type", "AWS")] = p.get("identifiers", [])
        statements.append(out)
    return {"id": "policy-document", "json": json.dumps({"Version": "2012-10-17", "Statement": statements})}


def _answers(token: str, args: dict) -> dict:
    az = args.get("availabilityZone") or ZONES[0]
    vpc = args.get("vpcId") or _looked_up("vpc", "default")
    table: dict[str, Any] = {
        "aws:index/getAvailabilityZones:getAvailabilityZones": lambda: {
            "id": REGION, "names": list(ZONES), "zoneIds": [f"apne1-az{i}" for i in (4, 1, 2)],
            "groupNames": [REGION] * 3, "state": "available"},
        "aws:index/getAvailabilityZone:getAvailabilityZone": lambda: {
            "id": az, "name": args.get("name") or az, "region": REGION, "state": "available", "zoneId": "apne1-az4"},
        "aws:index/getCallerIdentity:getCallerIdentity": lambda: {
            "id": ACCOUNT, "accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/brokerguard-mock",
            "userId": "AIDAMOCKMOCKMOCKMOCK"},
        "aws:index/getRegion:getRegion": lambda: {
            "id": REGION, "name": REGION, "region": REGION, "description": "Asia Pacific (Tokyo)",
            "endpoint": f"ec2.{REGION}.amazonaws.com"},
        "aws:index/getPartition:getPartition": lambda: {
            "id": "aws", "partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws"},
        "aws:ec2/getAmi:getAmi": lambda: {
            "id": "ami-0123456789abcdef0", "imageId": "ami-0123456789abcdef0", "architecture": "x86_64",
            "name": "mock-image", "ownerId": ACCOUNT, "rootDeviceName": "/dev/xvda", "virtualizationType": "hvm",
            "state": "available"},
        "aws:ec2/getVpc:getVpc": lambda: {
            "id": vpc if args.get("id") is None else args["id"], "cidrBlock": "172.31.0.0/16",
            "arn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/{vpc}", "ownerId": ACCOUNT},
        "aws:ec2/getSubnets:getSubnets": lambda: {
            "id": REGION, "ids": [_looked_up("subnet", json.dumps(args, sort_keys=True, default=str), z) for z in ZONES]},
        "aws:ec2/getSubnetIds:getSubnetIds": lambda: {
            "id": REGION, "vpcId": vpc,
            "ids": [_looked_up("subnet", json.dumps(args, sort_keys=True, default=str), z) for z in ZONES]},
        "aws:ec2/getSubnet:getSubnet": lambda: {
            "id": args.get("id") or _looked_up("subnet", json.dumps(args, sort_keys=True, default=str)),
            "vpcId": vpc, "availabilityZone": az, "cidrBlock": "172.31.0.0/20", "ownerId": ACCOUNT},
        "aws:ec2/getSecurityGroup:getSecurityGroup": lambda: {
            "id": args.get("id") or _looked_up("sg", json.dumps(args, sort_keys=True, default=str)), "vpcId": vpc,
            "name": args.get("name") or "default"},
        "aws:ec2/getRouteTable:getRouteTable": lambda: {
            "id": _looked_up("rtb", json.dumps(args, sort_keys=True, default=str)), "vpcId": vpc,
            "subnetId": args.get("subnetId"), "routeTableId": _looked_up("rtb", json.dumps(args, sort_keys=True, default=str))},
        "aws:route53/getZone:getZone": lambda: {
            "id": _looked_up("Z", args.get("name")), "zoneId": _looked_up("Z", args.get("name")),
            "name": (args.get("name") or "example.com").rstrip(".") + ".", "nameServers": []},
        "aws:iam/getPolicyDocument:getPolicyDocument": lambda: _policy_document(args),
        "aws:ecr/getAuthorizationToken:getAuthorizationToken": lambda: {
            "id": REGION, "userName": "AWS", "password": "mock-password", "authorizationToken": "QVdTOm1vY2s=",
            "proxyEndpoint": f"https://{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"},
        "aws:ecr/getCredentials:getCredentials": lambda: {
            "id": REGION, "authorizationToken": "QVdTOm1vY2s=",
            "proxyEndpoint": f"https://{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"},
        "aws:elb/getServiceAccount:getServiceAccount": lambda: {
            "id": "582318560864", "arn": "arn:aws:iam::582318560864:root"},
    }
    answer = table.get(token)
    return answer() if answer else {"id": _looked_up(token.rsplit(":", 1)[-1], json.dumps(args, default=str))}


class DataSourceMocks(Mocks):
    """Resources echo their inputs with an id, ARN and name; data sources get plausible answers."""

    def __init__(self) -> None:
        self.count = 0

    def new_resource(self, args: Any) -> tuple[str, dict]:
        self.count += 1
        digest = hashlib.sha1(f"{args.typ}/{args.name}/{self.count}".encode()).hexdigest()[:12]
        rid = f"{args.name}-{digest}"  # unique across types: a subnet and a route table may share a name
        service = args.typ.split(":")[1].split("/")[0] if args.typ.count(":") == 2 else "pulumi"
        state = dict(args.inputs)
        state.setdefault("arn", f"arn:aws:{service}:{REGION}:{ACCOUNT}:{args.typ.split(':')[-1].lower()}/{rid}")
        state.setdefault("name", f"{args.name}-{digest}")
        return rid, state

    def call(self, args: Any) -> dict:
        return _answers(args.token, dict(args.args or {}))
