from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.meta import MEDIUM, Meta, Text
from brokerguard.policies.stack_rule import blocks
from brokerguard.policies.waf import action, rules
from checkov.common.models.enums import CheckResult


class WafRateBasedRule(ResourceCheck):
    meta = Meta(
        name=Text("WAFv2 web ACLs have a rate-based rule that stops floods", "WAFv2 Web ACL 具備阻止洪水攻擊的速率規則"),
        description=Text(
            "CC-17010 WAF: the web ACL reduces DoS: a rate-based rule stops (block, CAPTCHA or challenge) clients "
            "over the limit.",
            "CC-17010 應用程式防火牆：Web ACL 降低阻斷服務攻擊：速率規則以阻擋、CAPTCHA 或挑戰攔下超過上限的用戶端。"),
        fix=Text("Add a rule with a rate_based_statement (limit per 5 minutes, aggregate_key_type IP) and action block.",
                 "新增含 rate_based_statement（每 5 分鐘上限、aggregate_key_type 為 IP）且動作為 block 的規則。"),
        severity=MEDIUM,
        types=("aws_wafv2_web_acl",),
        attributes={"rule"},
    )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        rate_rules = [r for r in rules(conf) if any(blocks(s, "rate_based_statement") for s in blocks(r, "statement"))]
        if any(action(r) in ("block", "captcha", "challenge") for r in rate_rules):
            return CheckResult.PASSED
        if rate_rules:
            self.problem("the rate-based rule only counts", "速率規則僅計數")
        else:
            self.problem("no rule has a rate_based_statement", "沒有規則含 rate_based_statement")
        return CheckResult.FAILED


check = WafRateBasedRule()
