from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies.firewall import (
    group_detects_intrusions,
    group_references,
    log_destinations,
    logging_configurations,
    managed_group,
)
from brokerguard.policies.meta import Text
from brokerguard.policies.stack_rule import StackRule


class IntrusionPrevention(StackRule):
    def evaluate(self, stack: Stack) -> list[Finding]:
        firewalls = stack.of_type("aws_networkfirewall_firewall")
        detectors = stack.of_type("aws_guardduty_detector")
        sessions = stack.of_type("aws_ec2_traffic_mirror_session")
        if not (firewalls or detectors or sessions):
            return []  # nothing here could inspect traffic: evidence decides
        problems = []
        for firewall in firewalls:
            problem = self._firewall_problem(stack, firewall)
            if problem is None:
                return [self.finding(firewall, True, Text(f"{firewall.address} runs IPS signatures and logs alerts",
                                                          f"{firewall.address} 執行 IPS 特徵碼並記錄警示"))]
            problems.append(Text(f"{firewall.address}: {problem}", f"{firewall.address}：{problem.zh}"))
        enabled = [d for d in detectors if d.values.get("enable") not in (False, "false")]
        mirrored = [s for s in sessions if s.values.get("traffic_mirror_target_id")]
        if enabled and mirrored:
            return [self.finding(mirrored[0], True, Text(
                f"GuardDuty {enabled[0].address} and traffic mirroring {mirrored[0].address}",
                f"GuardDuty {enabled[0].address} 與流量鏡像 {mirrored[0].address}"))]
        problems.append(Text("no enabled GuardDuty detector with a traffic mirror session to a target",
                             "沒有已啟用的 GuardDuty 偵測器搭配送往目標的流量鏡像工作階段")
                        if not (enabled and sessions) else
                        Text("the traffic mirror session has no target", "流量鏡像工作階段沒有目標"))
        anchor = (firewalls or detectors or sessions)[0]
        return [self.finding(anchor, False, Text.join("; ", problems))]

    @staticmethod
    def _firewall_problem(stack: Stack, firewall: Resource) -> Text | None:
        policies = stack.referenced(firewall, "aws_networkfirewall_firewall_policy")
        if not policies:
            return Text("its firewall policy is not declared in this stack", "其防火牆政策未在此堆疊中宣告")
        declared, elsewhere = group_references(stack, policies[0], "stateful")
        signatures = [g for g in declared if group_detects_intrusions(g)]
        signatures += [r for r in elsewhere if str(managed_group(r) or "").startswith("ThreatSignatures")]
        if not signatures:
            return Text(f"{policies[0].address} runs no Suricata signatures or AWS managed ThreatSignatures group",
                        f"{policies[0].address} 未執行任何 Suricata 特徵碼或 AWS 受管 ThreatSignatures 群組")
        logged = {d.log_type.upper() for conf in logging_configurations(stack, firewall)
                  for d in log_destinations(conf.values)}
        return None if "ALERT" in logged else Text("its ALERT logs are not configured", "其 ALERT 紀錄未設定")


rule = IntrusionPrevention()
