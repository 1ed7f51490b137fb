from brokerguard.model import Finding, Stack
from brokerguard.policies.meta import Text
from brokerguard.policies.network import NETWORKED_TYPES, core_resources, vpcs_of
from brokerguard.policies.stack_rule import StackRule, names


class CoreVpcFlowLogs(StackRule):
    def evaluate(self, stack: Stack) -> list[Finding]:
        vpcs = {v.address: v for core in core_resources(stack) if core.type in NETWORKED_TYPES
                for v in vpcs_of(stack, core)}
        findings = []
        for address in sorted(vpcs):
            vpc = vpcs[address]
            logs = [f for f in stack.of_type("aws_flow_log") if names(f, "vpc_id", vpc, "id")]
            full = [f for f in logs if str(f.values.get("traffic_type")).upper() == "ALL"]
            if full:
                findings.append(self.finding(vpc, True, Text(f"flow log {full[0].address}",
                                                             f"流量日誌 {full[0].address}")))
            else:
                findings.append(self.finding(vpc, False, Text(
                    "VPC hosts core systems but " + (
                        f"its flow log {logs[0].address} records only {logs[0].values.get('traffic_type')} traffic"
                        if logs else "no aws_flow_log records its traffic"),
                    "此 VPC 承載核心系統，但" + (
                        f"其流量日誌 {logs[0].address} 僅記錄 {logs[0].values.get('traffic_type')} 流量"
                        if logs else "沒有任何 aws_flow_log 記錄其流量"))))
        return findings


rule = CoreVpcFlowLogs()
