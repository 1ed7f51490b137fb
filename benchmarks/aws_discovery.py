"""Time scan-aws's discovery against a local moto_server: concurrent readers against one at a time.

Seeds REGIONS regions with N instances, N security groups and N log groups each (through boto3,
fake credentials, loopback only), then times `discover` with the default worker pool and with one
worker. moto answers from one process, so this measures the client side (pagination, threading),
not AWS's latency, which concurrency hides far better.

    .venv/bin/python benchmarks/aws_discovery.py [--regions 3] [--n 100] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from aws_server import FAKE_ENV, MotoServer

REGIONS = ["ap-northeast-1", "ap-southeast-1", "us-west-2", "eu-west-1", "ap-east-1"]


def seed(url: str, regions: list[str], n: int) -> None:
    import boto3

    for region in regions:
        ec2 = boto3.client("ec2", region_name=region, endpoint_url=url)
        logs = boto3.client("logs", region_name=region, endpoint_url=url)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/20")["Subnet"]["SubnetId"]
        for i in range(n):
            ec2.create_security_group(GroupName=f"sg-{i}", Description="bench", VpcId=vpc)
            logs.create_log_group(logGroupName=f"/bench/{i}")
        ec2.run_instances(ImageId="ami-12c6146b", InstanceType="t3.micro", MinCount=n, MaxCount=n, SubnetId=subnet)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=3)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.update({**FAKE_ENV, "AWS_MAX_ATTEMPTS": "1"})
    from brokerguard.providers.aws.discover import MAX_WORKERS, discover

    regions = REGIONS[: args.regions]
    server = MotoServer()
    try:
        seed(server.url, regions, args.n)
        for workers in (MAX_WORKERS, 1):
            times, count = [], 0
            for _ in range(args.runs):
                start = time.perf_counter()
                found = discover(regions, endpoint_url=server.url, workers=workers)
                times.append(time.perf_counter() - start)
                count = len(found.resources)
            print(f"{len(regions)} regions x {args.n} instances/groups/log groups, {workers} worker(s): "
                  f"{count} resources, median {statistics.median(times):.2f}s (min {min(times):.2f}, max {max(times):.2f})")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
