from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies.stack_rule import StackRule, blocks
from brokerguard.policies.waf import detects_sensitive_data, regex_strings, rules, statements


class WafSensitiveDataDetection(StackRule):
    """CC-17010 WAF: the web ACL detects leaks of national ID numbers (身分證字號) and cardholder data.

    A rule of the ACL (or of a rule group it references) has a regex_match_statement, or references an
    aws_wafv2_regex_pattern_set, with a pattern that finds a Taiwan national ID (a letter, 1 or 2, eight
    digits) or a card number in sample values and does not match ordinary order traffic. Patterns are
    tried, not compared as text. Detection done elsewhere (a DLP gateway) is declared as evidence.
    """

    id = "TWB_STACK_012"
    name = "WAFv2 web ACLs detect national ID and card numbers"
    control = "waf"
    fix = (
        'Add an aws_wafv2_regex_pattern_set with a pattern such as [A-Z][12][0-9]{8} (national ID) or a card '
        'number pattern, and a rule that references it; or declare your data-leak detection as evidence.'
    )
    guideline = "docs/checks.md#twb_stack_012"
    reads = ("aws_wafv2_web_acl", "aws_wafv2_rule_group", "aws_wafv2_regex_pattern_set")
    attestable = True

    def evaluate(self, stack: Stack) -> list[Finding]:
        findings = []
        for acl in stack.of_type("aws_wafv2_web_acl"):
            found = self._detections(stack, acl)
            findings.append(self.finding(acl, bool(found), "; ".join(found) if found else
                                         "no regex rule or pattern set of this web ACL matches a national ID or "
                                         "card number"))
        return findings

    def _detections(self, stack: Stack, owner: Resource) -> list[str]:
        stmts = [s for rule in rules(owner.values) for s in statements(rule)]
        patterns = [(owner.address, p) for p in regex_strings(stmts)]
        # Only a regex_pattern_set_reference_statement can refer to a pattern set.
        for ps in stack.referenced(owner, "aws_wafv2_regex_pattern_set"):
            patterns += [(ps.address, str(r.get("regex_string"))) for r in blocks(ps.values, "regular_expression")]
        found = [f"{where} detects {what}" for where, p in patterns if (what := detects_sensitive_data(p))]
        if owner.type == "aws_wafv2_web_acl":
            for group in stack.referenced(owner, "aws_wafv2_rule_group"):
                found += self._detections(stack, group)
        return found


rule = WafSensitiveDataDetection()
