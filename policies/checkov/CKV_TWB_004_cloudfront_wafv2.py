from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.meta import HIGH, Meta, Text
from brokerguard.policies.resource_conf import value
from checkov.common.models.enums import CheckResult


class CloudFrontWafV2(ResourceCheck):
    meta = Meta(
        name=Text("CloudFront distributions are protected by a WAFv2 web ACL", "CloudFront 發佈受 WAFv2 Web ACL 保護"),
        description=Text("CC-17010: every internet entry point sits behind a web application firewall (WAFv2).",
                         "CC-17010：每個網際網路入口皆位於應用程式防火牆（WAFv2）之後。"),
        fix=Text("Set web_acl_id to the ARN of an aws_wafv2_web_acl with scope CLOUDFRONT.",
                 "將 web_acl_id 設為 scope 為 CLOUDFRONT 的 aws_wafv2_web_acl 之 ARN。"),
        severity=HIGH,
        types=("aws_cloudfront_distribution",),
        attributes={"web_acl_id"},
    )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        acl = value(conf, "web_acl_id")
        if not acl:
            self.problem("web_acl_id is not set", "未設定 web_acl_id")
            return CheckResult.FAILED
        # A WAFv2 ACL is referenced by ARN; a WAF Classic ACL by a bare id.
        if "aws_wafv2_web_acl." in str(acl) or ":wafv2:" in str(acl):
            return CheckResult.PASSED
        self.problem(f"web_acl_id {acl!r} is not a WAFv2 web ACL (WAF Classic is not accepted)",
                     f"web_acl_id {acl!r} 不是 WAFv2 Web ACL（不接受 WAF Classic）")
        return CheckResult.FAILED


check = CloudFrontWafV2()
