from brokerguard.model import Finding, Stack
from brokerguard.policies.firewall import (
    drops_unmatched,
    group_blocks_traffic,
    group_references,
    inspection_gaps,
    managed_group,
    managed_group_drops,
    policy_settings,
)
from brokerguard.policies.meta import Text, text_of
from brokerguard.policies.stack_rule import StackRule


class FirewallPolicyDefaultDeny(StackRule):
    def evaluate(self, stack: Stack) -> list[Finding]:
        findings = []
        for policy in stack.of_type("aws_networkfirewall_firewall_policy"):
            gaps = inspection_gaps(stack, policy)
            if gaps:
                listed = Text.join("; ", gaps)
                findings.append(self.finding(policy, False, Text(f"traffic passes uninspected: {listed}",
                                                                 f"流量未經檢查即通過：{text_of(listed, 'zh-TW')}")))
                continue
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
