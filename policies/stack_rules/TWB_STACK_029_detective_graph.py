from brokerguard.model import Finding, Stack
from brokerguard.policies.stack_rule import StackRule


class DetectiveGraph(StackRule):
    """CC-17010 APT defence (lateral movement, account compromise): Amazon Detective correlates
    findings, flow logs and CloudTrail into a behaviour graph (aws_detective_graph). An equivalent
    investigation platform is declared as evidence."""

    id = "TWB_STACK_029"
    name = "Amazon Detective (or a declared equivalent) investigates findings"
    control = "apt-defense"
    fix = "Declare an aws_detective_graph, or declare the equivalent investigation platform as evidence."
    guideline = "docs/checks.md#twb_stack_029"
    reads = ("aws_detective_graph",)
    attestable = True

    def evaluate(self, stack: Stack) -> list[Finding]:
        graphs = stack.of_type("aws_detective_graph")
        if not graphs:
            return [self.finding(None, False, "the stack declares no aws_detective_graph")]
        return [self.finding(g, True) for g in graphs]


rule = DetectiveGraph()
