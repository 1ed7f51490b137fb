import dataclasses

from brokerguard.policies import log_retention
from brokerguard.policies.firewall import log_destinations
from brokerguard.policies.meta import MEDIUM, Meta, Text
from brokerguard.policies.stack_rule import StackRule

from brokerguard.model import Finding, Stack


class FirewallLogRetention(StackRule):
    meta = Meta(
        name=Text("Network firewall logs are kept at least three years", "網路防火牆紀錄至少保留三年"),
        description=Text(
            "CC-17010: firewall access logs (FLOW and ALERT) and their backups are kept at least three years. A "
            "CloudWatch log group keeps them when retention_in_days is at least 1096, or 0/unset (never expire); an S3 "
            "bucket when no enabled lifecycle rule covering the log prefix expires objects sooner; a Firehose stream "
            "when it delivers to such a bucket. A destination the stack names but does not declare (a central log "
            "archive) cannot be seen: that failure alone may be covered by evidence in the profile.",
            "CC-17010：防火牆存取紀錄（FLOW 與 ALERT）及其備份至少保留三年。CloudWatch 紀錄群組的 retention_in_days "
            "至少為 1096，或為 0／未設定（永不過期）時即保留；S3 儲存貯體須無任何涵蓋紀錄前綴的已啟用生命週期規則提早"
            "使物件過期；Firehose 串流須傳送至此類儲存貯體。堆疊指名但未宣告的目的地（集中式紀錄封存）無從檢視："
            "僅此一項失敗可由設定檔中的佐證資料涵蓋。"),
        fix=Text("Set retention_in_days = 1096 or more (or 0) on the log groups, remove lifecycle expirations under three "
                 "years on the log bucket (transition to Glacier instead), or declare the central log archive and its "
                 "retention as evidence.",
                 "在紀錄群組設定 retention_in_days = 1096 以上（或 0）、移除紀錄儲存貯體上短於三年的生命週期過期設定"
                 "（改為轉移至 Glacier），或以佐證資料宣告集中式紀錄封存及其保留期限。"),
        severity=MEDIUM,
        types=("aws_networkfirewall_logging_configuration", "aws_cloudwatch_log_group",
               "aws_kinesis_firehose_delivery_stream", "aws_s3_bucket", "aws_s3_bucket_lifecycle_configuration"),
        attributes={"logging_configuration"},
    )

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
