from brokerguard.model import Finding, Stack
from brokerguard.policies.network import NETWORK_READS, NETWORKED_TYPES, core_resources, vpcs_of
from brokerguard.policies.stack_rule import StackRule, names


class CoreVpcFlowLogs(StackRule):
    """CC-17010 threat detection (anomaly analysis): every VPC that hosts core systems records its
    accepted and rejected traffic in VPC flow logs (aws_flow_log with traffic_type ALL on the VPC)."""

    id = "TWB_STACK_026"
    name = "Every VPC hosting core systems has flow logs of all traffic"
    control = "threat-detection"
    fix = 'Add an aws_flow_log with vpc_id = the VPC and traffic_type = "ALL", sent to CloudWatch Logs or S3.'
    guideline = "docs/checks.md#twb_stack_026"
    reads = NETWORK_READS + ("aws_flow_log",)

    def evaluate(self, stack: Stack) -> list[Finding]:
        vpcs = {v.address: v for core in core_resources(stack) if core.type in NETWORKED_TYPES
                for v in vpcs_of(stack, core)}
        findings = []
        for address in sorted(vpcs):
            vpc = vpcs[address]
            logs = [f for f in stack.of_type("aws_flow_log") if names(f, "vpc_id", vpc, "id")]
            full = [f for f in logs if str(f.values.get("traffic_type")).upper() == "ALL"]
            if full:
                findings.append(self.finding(vpc, True, f"flow log {full[0].address}"))
            else:
                findings.append(self.finding(vpc, False, "VPC hosts core systems but " + (
                    f"its flow log {logs[0].address} records only {logs[0].values.get('traffic_type')} traffic"
                    if logs else "no aws_flow_log records its traffic")))
        return findings


rule = CoreVpcFlowLogs()
