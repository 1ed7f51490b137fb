from checkov.common.models.enums import CheckResult

from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.resource_conf import value


class CloudFrontWafV2(ResourceCheck):
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
