from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from brokerguard.policies.resource_conf import value


class SesReceiptRuleFilters(BaseResourceCheck):
    """CC-17010 mail filtering: every SES receipt rule scans incoming mail for spam and viruses
    (scan_enabled) and refuses mail not sent over TLS (tls_policy Require)."""

    control = "email-filtering"
    fix = 'Set scan_enabled = true and tls_policy = "Require" on the aws_ses_receipt_rule.'

    def __init__(self) -> None:
        super().__init__(
            name="SES receipt rules scan incoming mail and require TLS",
            id="CKV_TWB_030",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_ses_receipt_rule"],
            guideline="docs/checks.md#ckv_twb_030",
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        # Both default to off: a rule that does not set them neither scans nor requires TLS.
        if value(conf, "scan_enabled") not in (True, "true"):
            self.details.append("scan_enabled is not true: incoming mail is not scanned for spam and viruses")
        if str(value(conf, "tls_policy") or "Optional") != "Require":
            self.details.append(f"tls_policy is {value(conf, 'tls_policy') or 'Optional (the default)'!s}, not Require")
        return CheckResult.FAILED if self.details else CheckResult.PASSED


check = SesReceiptRuleFilters()
