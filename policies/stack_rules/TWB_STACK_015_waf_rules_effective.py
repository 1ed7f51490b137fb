from typing import Any

from brokerguard.policies.meta import HIGH, OK, Meta, Text
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

from brokerguard.model import Finding, Resource, Stack


class WafRulesEffective(StackRule):
    meta = Meta(
        name=Text("WAFv2 web ACLs let their managed rule groups see requests, and log them",
                  "WAFv2 Web ACL 的受管規則群組確實檢查請求，且記錄日誌"),
        description=Text(
            "CC-17010 WAF: a web ACL protects only if its rule groups inspect traffic. It fails when a rule that allows "
            "every request (an IP set covering the whole internet, a size of at least 0 bytes) comes before a managed "
            "rule group (WAF stops at the first terminating match), when a managed group's scope-down statement "
            "matches nothing (an empty IP set, a size below 0), or when its logging filter drops every record (default "
            "DROP with no KEEP filter). An IP set not declared in the stack is not judged as covering anything.",
            "CC-17010 WAF：Web ACL 只有在其規則群組確實檢查流量時才有保護作用。下列情形不通過：在受管規則群組之前有"
            "允許所有請求的規則（涵蓋整個網際網路的 IP 集合、大小至少 0 位元組）（WAF 於第一個終止比對即停止）、受管"
            "群組的 scope-down 敘述不符合任何請求（空的 IP 集合、大小小於 0），或日誌篩選器丟棄所有紀錄（預設 DROP 且"
            "無 KEEP 篩選）。未於堆疊中宣告的 IP 集合不視為涵蓋任何位址。"),
        fix=Text("Give managed rule groups lower priority numbers than any allow rule (or narrow the allow rule to "
                 "specific addresses), remove scope-down statements that match nothing, and keep at least the blocked "
                 "requests in the logging filter.",
                 "讓受管規則群組的 priority 數值小於任何允許規則（或將允許規則限縮至特定位址），移除不符合任何請求的 "
                 "scope-down 敘述，並讓日誌篩選器至少保留被阻擋的請求。"),
        severity=HIGH,
        types=("aws_wafv2_web_acl", "aws_wafv2_ip_set", "aws_wafv2_web_acl_logging_configuration"),
        attributes={"rule"},
    )

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
