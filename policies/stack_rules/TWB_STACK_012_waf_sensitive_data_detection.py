from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies.meta import Text
from brokerguard.policies.stack_rule import StackRule, blocks
from brokerguard.policies.waf import detects_sensitive_data, regex_strings, rules, statements


class WafSensitiveDataDetection(StackRule):
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
