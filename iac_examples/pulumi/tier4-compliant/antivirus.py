"""Malware protection: an endpoint protection agent on every instance of the account (SSM
Distributor package). Mail is filtered by a cloud service outside this stack: the profile
declares it as evidence."""

import pulumi_aws as aws


def build_antivirus() -> None:
    aws.ssm.Association(
        "endpoint_agent", name="AWS-ConfigureAWSPackage",
        parameters={"action": "Install", "name": "ExampleEndpointProtectionAgent"},
        targets=[aws.ssm.AssociationTargetArgs(key="InstanceIds", values=["*"])],
        schedule_expression="rate(1 day)")
