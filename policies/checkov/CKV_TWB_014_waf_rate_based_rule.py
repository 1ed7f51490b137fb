from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from brokerguard.policies.waf import stops_floods


class WafRateBasedRule(BaseResourceCheck):
    """CC-17010 WAF: the web ACL reduces DoS: a rate-based rule stops (block, CAPTCHA or challenge) clients
    over the limit.
    """

    control = "waf"
    fix = (
        'Add a rule with a rate_based_statement (limit per 5 minutes, aggregate_key_type IP) and '
        'action block.'
    )

    def __init__(self) -> None:
        super().__init__(
            name="WAFv2 web ACLs have a rate-based rule that stops floods",
            id="CKV_TWB_014",
            categories=[CheckCategories.APPLICATION_SECURITY],
            supported_resources=["aws_wafv2_web_acl"],
            guideline="docs/checks.md#ckv_twb_014",
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        stops, why = stops_floods(conf)
        if stops:
            return CheckResult.PASSED
        self.details.append(why)
        return CheckResult.FAILED


check = WafRateBasedRule()
