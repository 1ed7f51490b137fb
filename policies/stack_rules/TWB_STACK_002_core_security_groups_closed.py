from brokerguard.model import Finding, Stack
from brokerguard.policies.meta import OK, Text
from brokerguard.policies.network import core_resources, open_ingress, security_groups_of
from brokerguard.policies.stack_rule import StackRule


class CoreSecurityGroupsClosed(StackRule):
    def evaluate(self, stack: Stack) -> list[Finding]:
        findings = []
        for core in core_resources(stack):
            groups = security_groups_of(stack, core)
            if not groups:
                continue
            problems = [p for p in (open_ingress(stack, g) for g in groups) if p]
            findings.append(self.finding(core, not problems, Text.join("; ", problems) or OK))
        return findings


rule = CoreSecurityGroupsClosed()
