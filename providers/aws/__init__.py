"""A live AWS account, read through boto3 (read-only) and written in Terraform's plan JSON shape.

    readers_*.py  one function per entry of services.yaml: API calls -> LiveResource records
    discover.py   runs the readers over regions concurrently; denied or unreachable -> errors
    build.py      LiveResources -> addresses, references, plan JSON, brokerguard Resources
"""
