import dataclasses

from brokerguard.model import Finding, Stack
from brokerguard.policies import log_retention
from brokerguard.policies.firewall import log_destinations
from brokerguard.policies.stack_rule import StackRule


class FirewallLogRetention(StackRule):
    """CC-17010: firewall access logs (FLOW and ALERT) and their backups are kept at least three years.

    A CloudWatch log group keeps them when retention_in_days is at least 1096, or 0/unset (never expire);
    an S3 bucket when no enabled lifecycle rule covering the log prefix expires objects sooner; a Firehose
    stream when it delivers to such a bucket. A destination the stack names but does not declare (a central
    log archive) cannot be seen: that failure alone may be covered by evidence in the profile.
    """

    id = "TWB_STACK_011"
    name = "Network firewall logs are kept at least three years"
    control = "firewall"
    fix = (
        'Set retention_in_days = 1096 or more (or 0) on the log groups, remove lifecycle expirations under '
        'three years on the log bucket (transition to Glacier instead), or declare the central log archive '
        'and its retention as evidence.'
    )
    guideline = "docs/checks.md#twb_stack_011"
    reads = ("aws_networkfirewall_logging_configuration", "aws_cloudwatch_log_group",
             "aws_kinesis_firehose_delivery_stream", "aws_s3_bucket", "aws_s3_bucket_lifecycle_configuration")

    def evaluate(self, stack: Stack) -> list[Finding]:
        findings = []
        for conf in stack.of_type("aws_networkfirewall_logging_configuration"):
            verdicts = []
            for dest in log_destinations(conf.values):
                if dest.log_type.upper() not in ("FLOW", "ALERT"):
                    continue
                if dest.kind == "CloudWatchLogs":
                    verdict = log_retention.log_group(stack, conf, dest.target.get("logGroup", ""))
                elif dest.kind == "S3":
                    prefix = dest.target.get("prefix", "")
                    verdict = log_retention.bucket(stack, conf, dest.target.get("bucketName", ""),
                                                   f"{prefix}/AWSLogs/" if prefix else "AWSLogs/")
                else:
                    verdict = log_retention.firehose(stack, conf, dest.target.get("deliveryStream", ""))
                verdicts.append((dest.log_type.upper(), verdict))
            failed = [(t, v) for t, v in verdicts if not v.ok]
            if not verdicts:
                continue  # nothing to keep: CKV_TWB_011 reports the missing FLOW and ALERT logs
            message = "; ".join(f"{t}: {v.message}" for t, v in (failed or verdicts))
            finding = self.finding(conf, not failed, message)
            if failed and all(v.outside for _, v in failed):
                finding = dataclasses.replace(finding, attestable=True)
            findings.append(finding)
        return findings


rule = FirewallLogRetention()
