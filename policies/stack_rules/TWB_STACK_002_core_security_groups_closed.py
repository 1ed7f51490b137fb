from brokerguard.policies.meta import HIGH, OK, Meta, Text
from brokerguard.policies.network import (
    NETWORK_ATTRIBUTES,
    NETWORK_READS,
    UNCLASSIFIED_AS_CORE,
    cannot_judge,
    isolated_resources,
    unclassified,
)
from brokerguard.policies.reachability import reachability
from brokerguard.policies.stack_rule import StackRule

from brokerguard.model import Finding, Stack


class CoreSecurityGroupsClosed(StackRule):
    meta = Meta(
        name=Text("Security groups of core systems allow no ingress from the whole internet",
                  "核心系統的安全群組不允許來自整個網際網路的傳入流量"),
        description=Text(
            "CC-17010: the security groups of a core system, together, do not admit the whole internet. The CIDR "
            "sources of every ingress rule of every group it has (inline, aws_security_group_rule, "
            "aws_vpc_security_group_ingress_rule, managed prefix lists declared in the stack) are united: 0.0.0.0/0, "
            "::/0, 0.0.0.0/1 + 128.0.0.0/1 or every public block listed one by one all fail. A source brokerguard "
            "cannot read (a prefix list not declared here, an unresolved variable) cannot be judged. A system whose "
            "class tag is missing is judged as core (setting isolate_unclassified).",
            "CC-17010：核心系統的所有安全群組合計不允許整個網際網路傳入。其每個群組的每條傳入規則（內嵌、"
            "aws_security_group_rule、aws_vpc_security_group_ingress_rule、堆疊中宣告的受管前綴清單）之 CIDR 來源"
            "取聯集：0.0.0.0/0、::/0、0.0.0.0/1 + 128.0.0.0/1，或逐一列出所有公有位址段，皆不通過。無法讀取的來源"
            "（未於此宣告的前綴清單、未解析的變數）無法判定。缺少分級標籤的系統視為核心系統判定（設定 isolate_unclassified）。"),
        fix=Text("Admit only the security groups or CIDRs of the tiers in front of the system (e.g. the load balancer's "
                 "security group).",
                 "僅允許系統前端各層的安全群組或 CIDR（例如負載平衡器的安全群組）。"),
        severity=HIGH,
        types=NETWORK_READS,
        attributes=NETWORK_ATTRIBUTES,
    )

    def evaluate(self, stack: Stack) -> list[Finding]:
        model = reachability(stack)
        findings = []
        for core, why in isolated_resources(stack):
            groups = model.security_groups(core)
            if not groups:
                continue
            opening, unknown = model.open_to_internet(groups)
            problems = ([opening] if opening else []) + [cannot_judge(u) for u in unknown]
            if why == UNCLASSIFIED_AS_CORE:
                problems = [unclassified(p) for p in problems]
            findings.append(self.finding(core, not problems, Text.join("; ", problems) or OK))
        return findings


rule = CoreSecurityGroupsClosed()
