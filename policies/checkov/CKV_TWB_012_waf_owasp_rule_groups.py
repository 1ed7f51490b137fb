from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.meta import HIGH, Meta, Text
from brokerguard.policies.resource_conf import setting
from brokerguard.policies.waf import managed_group_name, rules
from checkov.common.models.enums import CheckResult


class WafOwaspRuleGroups(ResourceCheck):
    meta = Meta(
        name=Text("WAFv2 web ACLs run the rule groups that cover the OWASP Top 10",
                  "WAFv2 Web ACL 執行涵蓋 OWASP Top 10 的規則群組"),
        description=Text(
            "CC-17010 WAF: the web ACL detects the OWASP Top 10: it runs every rule group of the profile setting "
            "waf_owasp_rule_groups (by default the AWS managed Common, SQLi and KnownBadInputs rule sets).",
            "CC-17010 應用程式防火牆：Web ACL 偵測 OWASP Top 10，執行設定檔 waf_owasp_rule_groups 所列的每個規則群組"
            "（預設為 AWS 託管的 Common、SQLi 與 KnownBadInputs 規則集）。"),
        fix=Text("Add a rule with a managed_rule_group_statement for each group of waf_owasp_rule_groups "
                 "(AWSManagedRulesCommonRuleSet, AWSManagedRulesSQLiRuleSet, AWSManagedRulesKnownBadInputsRuleSet), "
                 "or list your vendor's OWASP rule groups in the profile.",
                 "為 waf_owasp_rule_groups 的每個群組（AWSManagedRulesCommonRuleSet、AWSManagedRulesSQLiRuleSet、"
                 "AWSManagedRulesKnownBadInputsRuleSet）新增含 managed_rule_group_statement 的規則，"
                 "或於設定檔列出廠商的 OWASP 規則群組。"),
        severity=HIGH,
        types=("aws_wafv2_web_acl",),
        attributes={"rule"},
    )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        running = {managed_group_name(rule) for rule in rules(conf)}
        missing = [g for g in setting("waf_owasp_rule_groups") if g not in running]
        if missing:
            self.problem(f"no rule runs {', '.join(missing)}", f"沒有規則執行 {', '.join(missing)}")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = WafOwaspRuleGroups()
