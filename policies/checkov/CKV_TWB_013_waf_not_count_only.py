from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from brokerguard.policies.resource_conf import setting
from brokerguard.policies.waf import blocks_requests, managed_group_name, overridden_to_count, rules


class WafNotCountOnly(BaseResourceCheck):
    """CC-17010 WAF: the web ACL blocks attacks, not only counts them. The OWASP rule groups (profile setting
    waf_owasp_rule_groups) are not overridden to count, and the default action or a rule blocks. Counting
    single rules of a group (rule_action_override) is tuning and allowed.
    """

    control = "waf"
    fix = (
        'Set override_action { none {} } on the OWASP rule groups, and block by default or in at least '
        'one rule; count single noisy rules with rule_action_override instead of the whole group.'
    )

    def __init__(self) -> None:
        super().__init__(
            name="WAFv2 web ACLs block attacks rather than only count them",
            id="CKV_TWB_013",
            categories=[CheckCategories.APPLICATION_SECURITY],
            supported_resources=["aws_wafv2_web_acl"],
            guideline="docs/checks.md#ckv_twb_013",
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        owasp = set(setting("waf_owasp_rule_groups"))
        counted = [str(managed_group_name(r)) for r in rules(conf)
                   if managed_group_name(r) in owasp and overridden_to_count(r)]
        if counted:
            self.details.append(f"override_action count on {', '.join(counted)}: matches are only counted")
        if not blocks_requests(conf):
            self.details.append("neither the default action nor any rule blocks")
        return CheckResult.FAILED if self.details else CheckResult.PASSED


check = WafNotCountOnly()
