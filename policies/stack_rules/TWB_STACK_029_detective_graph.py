from brokerguard.policies.meta import LOW, Meta, Text
from brokerguard.policies.stack_rule import StackRule

from brokerguard.model import Finding, Stack


class DetectiveGraph(StackRule):
    meta = Meta(
        name=Text("Amazon Detective (or a declared equivalent) investigates findings",
                  "Amazon Detective（或已宣告的同等平台）調查發現項目"),
        description=Text(
            "CC-17010 APT defence (lateral movement, account compromise): Amazon Detective correlates findings, flow "
            "logs and CloudTrail into a behaviour graph (aws_detective_graph). An equivalent investigation platform is "
            "declared as evidence.",
            "CC-17010 APT 防禦（橫向移動、帳號遭入侵）：Amazon Detective 將發現項目、流量日誌與 CloudTrail 關聯成行為圖"
            "（aws_detective_graph）。同等的調查平台以佐證資料宣告。"),
        fix=Text("Declare an aws_detective_graph, or declare the equivalent investigation platform as evidence.",
                 "宣告 aws_detective_graph，或以佐證資料宣告同等的調查平台。"),
        severity=LOW,
        types=("aws_detective_graph",),
        attributes=frozenset(),
        attestable=True,
    )

    def evaluate(self, stack: Stack) -> list[Finding]:
        graphs = stack.of_type("aws_detective_graph")
        if not graphs:
            return [self.finding(None, False, Text("the stack declares no aws_detective_graph",
                                                   "堆疊未宣告 aws_detective_graph"))]
        return [self.finding(g, True) for g in graphs]


rule = DetectiveGraph()
