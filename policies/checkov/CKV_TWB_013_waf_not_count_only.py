from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.meta import HIGH, Meta, Text
from brokerguard.policies.resource_conf import setting
from brokerguard.policies.waf import blocks_requests, managed_group_name, overridden_to_count, rules
from checkov.common.models.enums import CheckResult


class WafNotCountOnly(ResourceCheck):
    meta = Meta(
        name=Text("WAFv2 web ACLs block attacks rather than only count them", "WAFv2 Web ACL 阻擋攻擊而非僅計數"),
        description=Text(
            "CC-17010 WAF: the web ACL blocks attacks, not only counts them. The OWASP rule groups (profile setting "
            "waf_owasp_rule_groups) are not overridden to count, and the default action or a rule blocks. Counting "
            "single rules of a group (rule_action_override) is tuning and allowed.",
            "CC-17010 應用程式防火牆：Web ACL 阻擋攻擊而非僅計數。OWASP 規則群組（設定檔 waf_owasp_rule_groups）"
            "未被覆寫為計數，且預設動作或某條規則會阻擋。以 rule_action_override 將群組中的個別規則改為計數屬於調校，"
            "可以接受。"),
        fix=Text("Set override_action { none {} } on the OWASP rule groups, and block by default or in at least one "
                 "rule; count single noisy rules with rule_action_override instead of the whole group.",
                 "在 OWASP 規則群組設定 override_action { none {} }，並以預設動作或至少一條規則阻擋；"
                 "誤判較多的個別規則以 rule_action_override 計數，而非整個群組。"),
        severity=HIGH,
        types=("aws_wafv2_web_acl",),
        attributes={"rule", "default_action"},
    )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        owasp = set(setting("waf_owasp_rule_groups"))
        counted = [str(managed_group_name(r)) for r in rules(conf)
                   if managed_group_name(r) in owasp and overridden_to_count(r)]
        if counted:
            self.problem(f"override_action count on {', '.join(counted)}: matches are only counted",
                         f"{', '.join(counted)} 的 override_action 為 count：符合的請求僅被計數")
        if not blocks_requests(conf):
            self.problem("neither the default action nor any rule blocks", "預設動作與所有規則皆不阻擋")
        return CheckResult.FAILED if self.details else CheckResult.PASSED


check = WafNotCountOnly()
