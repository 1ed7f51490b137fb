from brokerguard.policies.firewall import (
    drops_unmatched,
    group_blocks_traffic,
    group_references,
    managed_group,
    managed_group_drops,
    policy_settings,
)
from brokerguard.policies.meta import HIGH, Meta, Text
from brokerguard.policies.stack_rule import StackRule

from brokerguard.model import Finding, Stack


class FirewallPolicyDefaultDeny(StackRule):
    meta = Meta(
        name=Text("Network firewall policies drop what no rule allows, or enforce an explicit blacklist",
                  "網路防火牆政策丟棄未經規則允許的流量，或執行明確的黑名單"),
        description=Text(
            'CC-17010: firewall rules are a whitelist or a blacklist, never "pass everything". Whitelist: '
            "stateful_default_actions holds aws:drop_strict or aws:drop_established (or the stateless default action "
            "is aws:drop). Blacklist: the policy references a rule group that drops named traffic: a domain DENYLIST, "
            "stateful or Suricata drop/reject rules, stateless aws:drop rules, or an AWS managed stateful group not "
            "overridden to DROP_TO_ALERT. A policy with neither passes what no rule names.",
            "CC-17010：防火牆規則為白名單或黑名單，絕不「全部放行」。白名單：stateful_default_actions 含 "
            "aws:drop_strict 或 aws:drop_established（或 stateless 預設動作為 aws:drop）。黑名單：政策參照會丟棄"
            "指定流量的規則群組：網域 DENYLIST、stateful 或 Suricata 的 drop／reject 規則、stateless aws:drop 規則，"
            "或未覆寫為 DROP_TO_ALERT 的 AWS 受管 stateful 群組。兩者皆無的政策會放行任何規則未指明的流量。"),
        fix=Text('Set stateful_default_actions = ["aws:drop_established"] (with stateful_engine_options rule_order '
                 "STRICT_ORDER) and pass only what the business needs, or reference a rule group that drops the "
                 "traffic your blacklist names.",
                 '設定 stateful_default_actions = ["aws:drop_established"]（並將 stateful_engine_options 的 '
                 "rule_order 設為 STRICT_ORDER），僅放行業務所需的流量；或參照會丟棄黑名單所列流量的規則群組。"),
        severity=HIGH,
        types=("aws_networkfirewall_firewall_policy", "aws_networkfirewall_rule_group"),
        attributes={"firewall_policy"},
    )

    def evaluate(self, stack: Stack) -> list[Finding]:
        findings = []
        for policy in stack.of_type("aws_networkfirewall_firewall_policy"):
            if drops_unmatched(policy_settings(policy)):
                findings.append(self.finding(policy, True, Text("whitelist: unmatched traffic is dropped",
                                                                "白名單：未符合規則的流量會被丟棄")))
                continue
            groups, elsewhere = [], []
            for kind in ("stateful", "stateless"):
                declared, outside = group_references(stack, policy, kind)
                groups += declared
                elsewhere += outside
            deny = [g.address for g in groups if group_blocks_traffic(g)]
            deny += [Text(f"AWS managed {managed_group(ref)}", f"AWS 受管 {managed_group(ref)}")
                     for ref in elsewhere if managed_group_drops(ref)]
            if deny:
                dropped_by = Text.join(Text(", ", "、"), deny)
                findings.append(self.finding(policy, True, Text(f"blacklist: named traffic is dropped by {dropped_by}",
                                                                f"黑名單：指定的流量由 {dropped_by.zh} 丟棄")))
                continue
            unseen = [r for r in elsewhere if managed_group(r) is None]
            en = "the default action passes what no rule matches, and no referenced rule group drops anything"
            zh = "預設動作會放行未符合任何規則的流量，且參照的規則群組皆不丟棄任何流量"
            if unseen:
                en += f" ({len(unseen)} referenced rule group(s) are not declared in this stack)"
                zh += f"（{len(unseen)} 個參照的規則群組未在此堆疊中宣告）"
            findings.append(self.finding(policy, False, Text(en, zh)))
        return findings


rule = FirewallPolicyDefaultDeny()
