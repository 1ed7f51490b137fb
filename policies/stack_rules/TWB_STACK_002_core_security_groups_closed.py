from brokerguard.model import Finding, Stack
from brokerguard.policies.meta import OK, Text
from brokerguard.policies.network import (
    UNCLASSIFIED_AS_CORE,
    cannot_judge,
    isolated_resources,
    unclassified,
)
from brokerguard.policies.reachability import reachability
from brokerguard.policies.stack_rule import StackRule


class CoreSecurityGroupsClosed(StackRule):
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
