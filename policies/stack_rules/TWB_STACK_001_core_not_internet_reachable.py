from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies.network import NETWORK_READS, NETWORKED_TYPES, UNCLASSIFIED_AS_CORE, isolated_resources
from brokerguard.policies.reachability import reachability
from brokerguard.policies.stack_rule import StackRule

# Attributes that place a system in the network; an instance without any launches in the default VPC.
_PLACED_BY = ("subnet_id", "network_interface", "launch_template")


class CoreNotInternetReachable(StackRule):
    """CC-17010: core systems sit in private subnets and carry no Elastic IP.

    A subnet is public when a route of its table sends any internet address (0.0.0.0/0, or parts whose
    union is the internet, IPv4 or IPv6) to an internet gateway. A subnet, route table or route target
    the stack does not declare (a literal id, a data source) cannot be judged: the finding fails.
    A system whose classification is missing is judged as core (setting isolate_unclassified).
    """

    id = "TWB_STACK_001"
    name = "Core systems sit in no public subnet and carry no Elastic IP"
    control = "firewall"
    fix = (
        'Place core systems in private subnets whose default route goes through the firewall or a '
        'NAT gateway, and release Elastic IPs attached to them; declare the subnets in the stack so '
        'their routing can be judged.'
    )
    guideline = "docs/checks.md#twb_stack_001"
    reads = NETWORK_READS

    def evaluate(self, stack: Stack) -> list[Finding]:
        model = reachability(stack)
        findings = []
        for core, why in isolated_resources(stack):
            problems = [f"Elastic IP {eip.address} ({eip.file}:{eip.line}) is attached" for eip in model.elastic_ips(core)]
            if core.type in NETWORKED_TYPES:
                problems += self._placement_problems(stack, core)
            if problems or core.type in NETWORKED_TYPES:
                if why == UNCLASSIFIED_AS_CORE:
                    problems = [f"{why}: {p}" for p in problems]
                findings.append(self.finding(core, not problems, "; ".join(problems) or "ok"))
        return findings

    @staticmethod
    def _placement_problems(stack: Stack, core: Resource) -> list[str]:
        model = reachability(stack)
        placed = model.placement(core)
        problems = [f"cannot judge: {u}" for u in placed.unknown]
        if core.type == "aws_instance" and not any(core.values.get(k) for k in _PLACED_BY):
            problems.append("no subnet_id: it would launch in the default VPC, whose subnets are public")
        for subnet in placed.subnets:
            routes, unknown = model.internet_routes(subnet)
            problems += [f"cannot judge: {u}" for u in unknown]
            for route in routes:
                if route.kind == "internet-gateway":
                    problems.append(f"subnet {subnet.address} is public: {route}")
                elif route.may_be_internet_gateway:
                    problems.append(f"cannot judge subnet {subnet.address}: {route}")
        return problems


rule = CoreNotInternetReachable()
