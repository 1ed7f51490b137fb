from typing import Any

from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies.meta import OK, Text
from brokerguard.policies.reachability import designated
from brokerguard.policies.stack_rule import StackRule, blocks
from brokerguard.policies.waf import (
    action,
    managed_group_name,
    matches_everything,
    matches_nothing,
    priority,
    rules,
    scope_down,
)


class WafRulesEffective(StackRule):
    def evaluate(self, stack: Stack) -> list[Finding]:
        findings = []
        for acl in stack.of_type("aws_wafv2_web_acl"):
            problems = self._rule_problems(stack, acl) + self._logging_problems(stack, acl)
            findings.append(self.finding(acl, not problems, Text.join("; ", problems) or OK))
        return findings

    @staticmethod
    def _rule_problems(stack: Stack, acl: Resource) -> list[Text]:
        def cidrs(arn: Any) -> list[str] | None:
            ip_set = designated(stack, acl, arn, "aws_wafv2_ip_set")
            return None if ip_set is None else [str(a) for a in ip_set.values.get("addresses") or []]

        problems: list[Text] = []
        allow_all: dict[str, Any] | None = None
        for rule in sorted(rules(acl.values), key=priority):
            name = rule.get("name")
            group = managed_group_name(rule)
            if group and allow_all is not None:
                problems.append(Text(f"rule {allow_all.get('name')!r} (priority {priority(allow_all)}) allows every "
                                     f"request before managed group {group} sees it",
                                     f"規則 {allow_all.get('name')!r}（priority {priority(allow_all)}）在受管群組 {group} "
                                     "檢查前即允許所有請求"))
            if group and any(matches_nothing(sd, cidrs) for sd in scope_down(rule)):
                problems.append(Text(f"rule {name!r}: the scope-down statement of {group} matches no request",
                                     f"規則 {name!r}：{group} 的 scope-down 敘述不符合任何請求"))
            if allow_all is None and action(rule) == "allow" and any(
                    matches_everything(s, cidrs) for s in blocks(rule, "statement")):
                allow_all = rule
        return problems

    @staticmethod
    def _logging_problems(stack: Stack, acl: Resource) -> list[Text]:
        problems = []
        for log in stack.referrers(acl, "aws_wafv2_web_acl_logging_configuration"):
            for filt in blocks(log.values, "logging_filter"):
                keeps = [f for f in blocks(filt, "filter") if str(f.get("behavior")).upper() == "KEEP"]
                if str(filt.get("default_behavior")).upper() == "DROP" and not keeps:
                    problems.append(Text(f"{log.address}: the logging filter drops every record",
                                         f"{log.address}：日誌篩選器丟棄所有紀錄"))
        return problems


rule = WafRulesEffective()
