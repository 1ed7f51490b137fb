from brokerguard.policies.meta import MEDIUM, Meta, Text
from brokerguard.policies.stack_rule import StackRule, blocks
from brokerguard.policies.waf import detects_sensitive_data, regex_strings, rules, statements

from brokerguard.model import Finding, Resource, Stack


class WafSensitiveDataDetection(StackRule):
    meta = Meta(
        name=Text("WAFv2 web ACLs detect national ID and card numbers", "WAFv2 Web ACL 偵測身分證字號與卡號"),
        description=Text(
            "CC-17010 WAF: the web ACL detects leaks of national ID numbers (身分證字號) and cardholder data. A rule of "
            "the ACL (or of a rule group it references) has a regex_match_statement, or references an "
            "aws_wafv2_regex_pattern_set, with a pattern that finds a Taiwan national ID (a letter, 1 or 2, eight "
            "digits) or a card number in sample values and does not match ordinary order traffic. Patterns are tried, "
            "not compared as text. Detection done elsewhere (a DLP gateway) is declared as evidence.",
            "CC-17010 WAF：Web ACL 偵測身分證字號與持卡人資料的外洩。該 ACL（或其參照之規則群組）的某條規則具有 "
            "regex_match_statement，或參照 aws_wafv2_regex_pattern_set，其樣式能在範例值中找出臺灣身分證字號（一個"
            "英文字母、1 或 2、八位數字）或卡號，且不符合一般的委託下單流量。樣式以實際比對測試，而非以文字比較。"
            "於他處（DLP 閘道）進行的偵測以佐證資料宣告。"),
        fix=Text("Add an aws_wafv2_regex_pattern_set with a pattern such as [A-Z][12][0-9]{8} (national ID) or a card "
                 "number pattern, and a rule that references it; or declare your data-leak detection as evidence.",
                 "新增含有 [A-Z][12][0-9]{8}（身分證字號）或卡號樣式的 aws_wafv2_regex_pattern_set，以及參照它的規則；"
                 "或以佐證資料宣告您的資料外洩偵測機制。"),
        severity=MEDIUM,
        types=("aws_wafv2_web_acl", "aws_wafv2_rule_group", "aws_wafv2_regex_pattern_set"),
        attributes={"rule"},
        attestable=True,
    )

    def evaluate(self, stack: Stack) -> list[Finding]:
        findings = []
        for acl in stack.of_type("aws_wafv2_web_acl"):
            found = self._detections(stack, acl)
            findings.append(self.finding(acl, bool(found), Text.join("; ", found) if found else Text(
                "no regex rule or pattern set of this web ACL matches a national ID or card number",
                "此 Web ACL 沒有任何正規表示式規則或樣式集能比對身分證字號或卡號")))
        return findings

    def _detections(self, stack: Stack, owner: Resource) -> list[Text]:
        stmts = [s for rule in rules(owner.values) for s in statements(rule)]
        patterns = [(owner.address, p) for p in regex_strings(stmts)]
        # Only a regex_pattern_set_reference_statement can refer to a pattern set.
        for ps in stack.referenced(owner, "aws_wafv2_regex_pattern_set"):
            patterns += [(ps.address, str(r.get("regex_string"))) for r in blocks(ps.values, "regular_expression")]
        found = [Text(f"{where} detects {what}", f"{where} 可偵測{what.zh}")
                 for where, p in patterns if (what := detects_sensitive_data(p))]
        if owner.type == "aws_wafv2_web_acl":
            for group in stack.referenced(owner, "aws_wafv2_rule_group"):
                found += self._detections(stack, group)
        return found


rule = WafSensitiveDataDetection()
