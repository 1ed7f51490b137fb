from brokerguard.model import Finding, Stack
from brokerguard.policies.network import NETWORK_READS, NETWORKED_TYPES, core_resources, internet_route, subnets_of
from brokerguard.policies.stack_rule import StackRule


class CoreNotInternetReachable(StackRule):
    """CC-17010: core systems sit in private subnets and carry no Elastic IP."""

    id = "TWB_STACK_001"
    name = "Core systems sit in no public subnet and carry no Elastic IP"
    control = "firewall"
    fix = (
        'Place core systems in private subnets whose default route goes through the firewall or a '
        'NAT gateway, and release Elastic IPs attached to them.'
    )
    guideline = "docs/checks.md#twb_stack_001"
    reads = NETWORK_READS

    def evaluate(self, stack: Stack) -> list[Finding]:
        findings = []
        for core in core_resources(stack):
            problems = []
            for eip in stack.referrers(core, "aws_eip", "aws_eip_association"):
                problems.append(f"Elastic IP {eip.address} ({eip.file}:{eip.line}) is attached")
            if core.type in NETWORKED_TYPES:
                subnets = subnets_of(stack, core)
                placed = any(core.values.get(k) for k in ("subnet_id", "network_interface", "launch_template"))
                if core.type == "aws_instance" and not placed:
                    problems.append("no subnet_id: it would launch in the default VPC, whose subnets are public")
                for subnet in subnets:
                    route = internet_route(stack, subnet)
                    if route:
                        problems.append(f"subnet {subnet.address} is public: {route.address} ({route.file}:{route.line}) "
                                        "routes 0.0.0.0/0 to an internet gateway")
            if problems or core.type in NETWORKED_TYPES:
                findings.append(self.finding(core, not problems, "; ".join(problems) or "ok"))
        return findings


rule = CoreNotInternetReachable()
