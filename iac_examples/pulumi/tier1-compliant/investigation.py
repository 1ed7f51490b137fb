"""Investigation: Amazon Detective builds a behaviour graph from GuardDuty findings, flow logs and CloudTrail."""

import pulumi_aws as aws


def build_investigation() -> None:
    aws.detective.Graph("main")
