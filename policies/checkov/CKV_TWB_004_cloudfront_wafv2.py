from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from brokerguard.policies.resource_conf import value


class CloudFrontWafV2(BaseResourceCheck):
    """CC-17010: every internet entry point sits behind a web application firewall (WAFv2)."""

    control = "waf"
    fix = (
        'Set web_acl_id to the ARN of an aws_wafv2_web_acl with scope CLOUDFRONT.'
    )

    def __init__(self) -> None:
        super().__init__(
            name="CloudFront distributions are protected by a WAFv2 web ACL",
            id="CKV_TWB_004",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["aws_cloudfront_distribution"],
            guideline="docs/checks.md#ckv_twb_004",
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        acl = value(conf, "web_acl_id")
        if not acl:
            self.details.append("web_acl_id is not set")
            return CheckResult.FAILED
        # A WAFv2 ACL is referenced by ARN; a WAF Classic ACL by a bare id.
        if "aws_wafv2_web_acl." in str(acl) or ":wafv2:" in str(acl):
            return CheckResult.PASSED
        self.details.append(f"web_acl_id {acl!r} is not a WAFv2 web ACL (WAF Classic is not accepted)")
        return CheckResult.FAILED


check = CloudFrontWafV2()
