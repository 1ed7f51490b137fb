import dataclasses

from brokerguard.model import Finding, Stack
from brokerguard.policies import log_retention
from brokerguard.policies.firewall import log_destinations
from brokerguard.policies.meta import Text
from brokerguard.policies.stack_rule import StackRule


class FirewallLogRetention(StackRule):
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
            message = Text.join("; ", (Text(f"{t}: {v.message}", f"{t}：{v.message.zh}")
                                       for t, v in (failed or verdicts)))
            finding = self.finding(conf, not failed, message)
            if failed and all(v.outside for _, v in failed):
                finding = dataclasses.replace(finding, attestable=True)
            findings.append(finding)
        return findings


rule = FirewallLogRetention()
