"""Non-compliant (every tier, from 2022-01-31): systems without complete classification tags."""

import pulumi_aws as aws

# No tags at all.
aws.ec2.Instance("quotes", ami="ami-0123456789abcdef0", instance_type="c6i.large",
                 subnet_id="subnet-0123456789abcdef0")

# Class and levels given, but no system name, and a level outside high/medium/low.
aws.dynamodb.Table("sessions", name="sessions", billing_mode="PAY_PER_REQUEST", hash_key="id",
                   attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
                   tags={"twb:class": "core", "twb:confidentiality": "high", "twb:integrity": "critical",
                         "twb:availability": "high", "twb:legal-compliance": "medium"})

# Complete: passes.
aws.s3.Bucket("archive", bucket="example-securities-archive",
              tags={"twb:system": "archive", "twb:class": "non-core", "twb:confidentiality": "medium",
                    "twb:integrity": "medium", "twb:availability": "low", "twb:legal-compliance": "high"})
