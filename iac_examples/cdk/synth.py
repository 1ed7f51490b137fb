"""Write tier1-compliant/cdk.out: the cloud assembly `cdk synth` would produce for the tier-1 stack, made
from the CloudFormation twin (../cloudformation/tier1-compliant) without node or the CDK CLI.

What `cdk synth` adds and this writes too: a manifest.json listing the stack artifact, JSON templates with
long-form intrinsics, nested stacks as `<Parent><Id>NestedStack<Id>NestedStackResource<hash>` resources whose
TemplateURL joins the bootstrap asset bucket with the asset hash and whose `aws:asset:path` metadata names
the nested template file, the CDKMetadata resource under its region condition, the BootstrapVersion
parameter read from SSM, and the CheckBootstrapVersion rule. Logical ids of the resources themselves are
kept (as `overrideLogicalId` would), so findings compare one to one with the CloudFormation twin.

    .venv/bin/python iac_examples/cdk/synth.py
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from brokerguard.providers.cloudformation.template import parse_yaml

HERE = Path(__file__).resolve().parent
TWIN = HERE.parent / "cloudformation" / "tier1-compliant"
OUT = HERE / "tier1-compliant" / "cdk.out"
STACK = "TradingStack"
CDK_REGIONS = [
    "af-south-1",
    "ap-east-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-north-1",
    "eu-south-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
]


def _read(name: str) -> dict:
    path = TWIN / name
    doc, _ = parse_yaml(path, path.read_text(encoding="utf-8"))
    return doc


def _cdk_trappings(doc: dict, path: str) -> dict:
    doc = dict(doc)
    doc.pop("AWSTemplateFormatVersion", None)
    for logical, res in doc["Resources"].items():
        res.setdefault("Metadata", {})["aws:cdk:path"] = f"{path}/{logical}/Resource"
    doc["Resources"]["CDKMetadata"] = {
        "Type": "AWS::CDK::Metadata",
        "Properties": {
            "Analytics": "v2:deflate64:H4sIAAAAAAAA/zPSMzQ0MNBLLC7WTU7J1k1JzMxLzMnPS9XJy09J1avKLC7JTNRzSc1JLUlNLdGpjKzSs="
        },
        "Metadata": {"aws:cdk:path": f"{path}/CDKMetadata/Default"},
        "Condition": "CDKMetadataAvailable",
    }
    conditions = doc.setdefault("Conditions", {})
    conditions["CDKMetadataAvailable"] = {
        "Fn::Or": [
            {"Fn::Or": [{"Fn::Equals": [{"Ref": "AWS::Region"}, r]} for r in CDK_REGIONS[i : i + 10]]}
            for i in range(0, len(CDK_REGIONS), 10)
        ]
    }
    return doc


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    root = _cdk_trappings(_read("stack.yaml"), STACK)
    resources = {}
    for logical, res in root["Resources"].items():
        if res.get("Type") != "AWS::CloudFormation::Stack":
            resources[logical] = res
            continue
        child_name = res["Properties"]["TemplateURL"].rsplit("/", 1)[-1]
        child = _cdk_trappings(_read(child_name), f"{STACK}/{logical}")
        body = json.dumps(child, indent=1, sort_keys=False)
        digest = hashlib.sha256(body.encode()).hexdigest()
        file = f"{STACK}{logical}{digest[:8].upper()}.nested.template.json"
        (OUT / file).write_text(body + "\n", encoding="utf-8")
        props = dict(res["Properties"])
        props["TemplateURL"] = {
            "Fn::Join": [
                "",
                [
                    "https://s3.ap-northeast-1.",
                    {"Ref": "AWS::URLSuffix"},
                    {"Fn::Sub": "/cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}/"},
                    f"{digest}.json",
                ],
            ]
        }
        resources[logical] = {
            "Type": res["Type"],
            "Properties": props,
            "UpdateReplacePolicy": "Delete",
            "DeletionPolicy": "Delete",
            "Metadata": {
                "aws:cdk:path": f"{STACK}/{logical}.NestedStack/{logical}.NestedStackResource",
                "aws:asset:path": file,
                "aws:asset:property": "TemplateURL",
            },
        }
    root["Resources"] = resources
    root["Parameters"] = {
        "BootstrapVersion": {
            "Type": "AWS::SSM::Parameter::Value<String>",
            "Default": "/cdk-bootstrap/hnb659fds/version",
            "Description": "Version of the CDK Bootstrap resources in this environment, automatically retrieved from SSM Parameter Store. [cdk:skip]",
        }
    }
    root["Rules"] = {
        "CheckBootstrapVersion": {
            "Assertions": [
                {
                    "Assert": {"Fn::Not": [{"Fn::Contains": [["1", "2", "3", "4", "5"], {"Ref": "BootstrapVersion"}]}]},
                    "AssertDescription": "CDK bootstrap stack version 6 required. Please run 'cdk bootstrap' with a recent version of the CDK CLI.",
                }
            ]
        }
    }
    (OUT / f"{STACK}.template.json").write_text(json.dumps(root, indent=1) + "\n", encoding="utf-8")
    (OUT / "cdk.out").write_text(json.dumps({"version": "36.0.0"}) + "\n", encoding="utf-8")
    manifest = {
        "version": "36.0.0",
        "artifacts": {
            f"{STACK}.assets": {"type": "cdk:asset-manifest", "properties": {"file": f"{STACK}.assets.json"}},
            STACK: {
                "type": "aws:cloudformation:stack",
                "environment": "aws://unknown-account/ap-northeast-1",
                "properties": {
                    "templateFile": f"{STACK}.template.json",
                    "terminationProtection": False,
                    "validateOnSynth": False,
                },
                "dependencies": [f"{STACK}.assets"],
                "displayName": STACK,
            },
            "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}},
        },
    }
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    (OUT / f"{STACK}.assets.json").write_text(json.dumps({"version": "36.0.0", "files": {}}) + "\n", encoding="utf-8")
    (OUT / "tree.json").write_text(
        json.dumps({"version": "tree-0.1", "tree": {"id": "App", "path": ""}}) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
