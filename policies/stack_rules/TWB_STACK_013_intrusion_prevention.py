from brokerguard.policies.firewall import (
    group_detects_intrusions,
    group_references,
    log_destinations,
    logging_configurations,
    managed_group,
)
from brokerguard.policies.meta import HIGH, Meta, Text
from brokerguard.policies.stack_rule import StackRule

from brokerguard.model import Finding, Resource, Stack


class IntrusionPrevention(StackRule):
    meta = Meta(
        name=Text("Network traffic is inspected by an IDS/IPS whose alerts are logged",
                  "網路流量經 IDS／IPS 檢測，且其警示有留存紀錄"),
        description=Text(
            "CC-17010 IDS/IPS: the stack inspects traffic for intrusions and keeps the alerts. Either an AWS Network "
            "Firewall whose policy runs a stateful rule group of Suricata signatures (alert, drop or reject rules) or "
            "an AWS managed ThreatSignatures group, with ALERT logs configured; or GuardDuty enabled plus a VPC traffic "
            "mirror session to a target (an IDS appliance or its load balancer). Judged only when the stack holds a "
            "network firewall, a GuardDuty detector or a traffic mirror session; an IPS run elsewhere (a data-centre "
            "edge) is declared as evidence.",
            "CC-17010 IDS／IPS：堆疊檢測流量中的入侵行為並留存警示。可為 AWS Network Firewall，其政策執行含 Suricata "
            "特徵碼（alert、drop 或 reject 規則）的 stateful 規則群組或 AWS 受管 ThreatSignatures 群組，並設定 ALERT "
            "紀錄；或啟用 GuardDuty 並以 VPC 流量鏡像工作階段送往目標（IDS 設備或其負載平衡器）。僅在堆疊含有網路"
            "防火牆、GuardDuty 偵測器或流量鏡像工作階段時判定；於他處（資料中心邊界）運作的 IPS 以佐證資料宣告。"),
        fix=Text("Reference a Suricata rule group or an AWS managed ThreatSignatures rule group in the firewall policy and "
                 "log ALERT events; or enable GuardDuty and mirror VPC traffic to an IDS with "
                 "aws_ec2_traffic_mirror_session; or declare the IPS as evidence.",
                 "在防火牆政策中參照 Suricata 規則群組或 AWS 受管 ThreatSignatures 規則群組並記錄 ALERT 事件；或啟用 "
                 "GuardDuty，並以 aws_ec2_traffic_mirror_session 將 VPC 流量鏡像至 IDS；或以佐證資料宣告 IPS。"),
        severity=HIGH,
        types=("aws_networkfirewall_firewall", "aws_networkfirewall_firewall_policy", "aws_networkfirewall_rule_group",
               "aws_networkfirewall_logging_configuration", "aws_guardduty_detector", "aws_ec2_traffic_mirror_session"),
        attributes={"firewall_policy_arn", "enable", "traffic_mirror_target_id"},
        attestable=True,
    )

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
