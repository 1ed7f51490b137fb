from brokerguard.model import Finding, Stack
from brokerguard.policies.meta import Text
from brokerguard.policies.stack_rule import StackRule


class DetectiveGraph(StackRule):
    def evaluate(self, stack: Stack) -> list[Finding]:
        graphs = stack.of_type("aws_detective_graph")
        if not graphs:
            return [self.finding(None, False, Text("the stack declares no aws_detective_graph",
                                                   "堆疊未宣告 aws_detective_graph"))]
        return [self.finding(g, True) for g in graphs]


rule = DetectiveGraph()
