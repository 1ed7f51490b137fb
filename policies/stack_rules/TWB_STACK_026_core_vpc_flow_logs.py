from brokerguard.policies.meta import MEDIUM, Meta, Text
from brokerguard.policies.network import NETWORK_READS, NETWORKED_TYPES, core_resources, vpcs_of
from brokerguard.policies.stack_rule import StackRule, names

from brokerguard.model import Finding, Stack


class CoreVpcFlowLogs(StackRule):
    meta = Meta(
        name=Text("Every VPC hosting core systems has flow logs of all traffic",
                  "每個承載核心系統的 VPC 皆有涵蓋所有流量的流量日誌"),
        description=Text(
            "CC-17010 threat detection (anomaly analysis): every VPC that hosts core systems records its accepted and "
            "rejected traffic in VPC flow logs (aws_flow_log with traffic_type ALL on the VPC).",
            "CC-17010 威脅偵測（異常分析）：每個承載核心系統的 VPC 皆以 VPC 流量日誌記錄其接受與拒絕的流量（該 VPC 上 "
            "traffic_type 為 ALL 的 aws_flow_log）。"),
        fix=Text('Add an aws_flow_log with vpc_id = the VPC and traffic_type = "ALL", sent to CloudWatch Logs or S3.',
                 '新增 vpc_id 為該 VPC、traffic_type = "ALL" 的 aws_flow_log，並送往 CloudWatch Logs 或 S3。'),
        severity=MEDIUM,
        types=NETWORK_READS + ("aws_flow_log",),
        attributes=frozenset(),
    )

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
