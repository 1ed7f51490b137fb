from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from brokerguard.policies.resource_conf import setting
from brokerguard.policies.waf import managed_group_name, rules


class WafOwaspRuleGroups(BaseResourceCheck):
    """CC-17010 WAF: the web ACL detects the OWASP Top 10: it runs every rule group of the profile setting
    waf_owasp_rule_groups (by default the AWS managed Common, SQLi and KnownBadInputs rule sets).
    """

    control = "waf"
    fix = (
        'Add a rule with a managed_rule_group_statement for each group of waf_owasp_rule_groups '
        '(AWSManagedRulesCommonRuleSet, AWSManagedRulesSQLiRuleSet, AWSManagedRulesKnownBadInputsRuleSet), '
        "or list your vendor's OWASP rule groups in the profile."
    )

    def __init__(self) -> None:
        super().__init__(
            name="WAFv2 web ACLs run the rule groups that cover the OWASP Top 10",
            id="CKV_TWB_012",
            categories=[CheckCategories.APPLICATION_SECURITY],
            supported_resources=["aws_wafv2_web_acl"],
            guideline="docs/checks.md#ckv_twb_012",
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        running = {managed_group_name(rule) for rule in rules(conf)}
        missing = [g for g in setting("waf_owasp_rule_groups") if g not in running]
        if missing:
            self.details.append(f"no rule runs {', '.join(missing)}")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = WafOwaspRuleGroups()
