from typing import Any

from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies.meta import OK, Text
from brokerguard.policies.reachability import designated
from brokerguard.policies.resource_conf import value
from brokerguard.policies.stack_rule import StackRule, blocks
from brokerguard.policies.waf import (
    action,
    counted_rules,
    counts_everything,
    group_statement,
    managed_group_name,
    managed_group_rules,
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
            problems += WafRulesEffective._counting_problems(stack, acl, rule)
            if allow_all is None and action(rule) == "allow" and any(
                    matches_everything(s, cidrs) for s in blocks(rule, "statement")):
                allow_all = rule
        return problems

    @staticmethod
    def _counting_problems(stack: Stack, acl: Resource, rule: dict[str, Any]) -> list[Text]:
        """A rule group that only counts protects nothing; one whose rules brokerguard does not know cannot be
        shown to block once some of them are counted."""
        found = group_statement(rule)
        if found is None:
            return []
        kind, statement = found
        if kind == "managed_rule_group_statement":
            label, known = f"managed group {managed_group_name(rule)}", managed_group_rules(statement)
        else:
            group = designated(stack, acl, value(statement, "arn"), "aws_wafv2_rule_group")
            label = f"rule group {group.address if group else value(statement, 'arn')}"
            known = None if group is None else frozenset(str(value(r, "name")) for r in blocks(group.values, "rule"))
        verdict = counts_everything(rule, known)
        where = f"{acl.address} rule {value(rule, 'name')!r}"
        if verdict is True:
            return [Text(f"{where}: {label} counts every request it matches (override_action count, or every "
                         "rule overridden to count): it protects nothing",
                         f"{where}：{label} 對符合的請求僅計數（override_action count，或每條規則皆覆寫為計數）："
                         "未提供任何保護")]
        if verdict is None:
            n = len(counted_rules(statement))
            return [Text(f"cannot judge {where}: {n} rule(s) of {label} are overridden to count and brokerguard does "
                         "not know every rule of that group (not in policies/waf_managed_rule_groups.yaml, or a "
                         "pinned version), so the group may count everything",
                         f"無法判定 {where}：{label} 有 {n} 條規則被覆寫為計數，而 brokerguard 不知該群組的全部規則"
                         "（不在 policies/waf_managed_rule_groups.yaml 中，或指定了版本），該群組可能全數僅計數")]
        return []

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
