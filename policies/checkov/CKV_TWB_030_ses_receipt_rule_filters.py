from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.meta import MEDIUM, Meta, Text
from brokerguard.policies.resource_conf import value
from checkov.common.models.enums import CheckResult


class SesReceiptRuleFilters(ResourceCheck):
    meta = Meta(
        name=Text("SES receipt rules scan incoming mail and require TLS", "SES 收信規則掃描來信並要求 TLS"),
        description=Text(
            "CC-17010 mail filtering: every SES receipt rule scans incoming mail for spam and viruses (scan_enabled) "
            "and refuses mail not sent over TLS (tls_policy Require).",
            "CC-17010 電子郵件過濾：每條 SES 收信規則掃描來信中的垃圾郵件與病毒（scan_enabled），"
            "並拒收未經 TLS 傳送的郵件（tls_policy 為 Require）。"),
        fix=Text('Set scan_enabled = true and tls_policy = "Require" on the aws_ses_receipt_rule.',
                 '在 aws_ses_receipt_rule 設定 scan_enabled = true 與 tls_policy = "Require"。'),
        severity=MEDIUM,
        types=("aws_ses_receipt_rule",),
        attributes={"scan_enabled", "tls_policy"},
    )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        # Both default to off: a rule that does not set them neither scans nor requires TLS.
        if value(conf, "scan_enabled") not in (True, "true"):
            self.problem("scan_enabled is not true: incoming mail is not scanned for spam and viruses",
                         "scan_enabled 不是 true：來信未掃描垃圾郵件與病毒")
        policy = value(conf, "tls_policy")
        if str(policy or "Optional") != "Require":
            self.problem(f"tls_policy is {policy or 'Optional (the default)'!s}, not Require",
                         f"tls_policy 為 {policy or 'Optional（預設）'!s}，不是 Require")
        return CheckResult.FAILED if self.details else CheckResult.PASSED


check = SesReceiptRuleFilters()
