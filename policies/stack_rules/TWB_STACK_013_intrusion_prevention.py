from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies.firewall import (
    group_detects_intrusions, group_references, log_destinations, logging_configurations, managed_group,
)
from brokerguard.policies.stack_rule import StackRule


class IntrusionPrevention(StackRule):
    """CC-17010 IDS/IPS: the stack inspects traffic for intrusions and keeps the alerts.

    Either an AWS Network Firewall whose policy runs a stateful rule group of Suricata signatures (alert,
    drop or reject rules) or an AWS managed ThreatSignatures group, with ALERT logs configured; or GuardDuty
    enabled plus a VPC traffic mirror session to a target (an IDS appliance or its load balancer). Judged
    only when the stack holds a network firewall, a GuardDuty detector or a traffic mirror session; an IPS
    run elsewhere (a data-centre edge) is declared as evidence.
    """

    id = "TWB_STACK_013"
    name = "Network traffic is inspected by an IDS/IPS whose alerts are logged"
    control = "ids-ips"
    fix = (
        'Reference a Suricata rule group or an AWS managed ThreatSignatures rule group in the firewall policy '
        'and log ALERT events; or enable GuardDuty and mirror VPC traffic to an IDS with '
        'aws_ec2_traffic_mirror_session; or declare the IPS as evidence.'
    )
    guideline = "docs/checks.md#twb_stack_013"
    reads = ("aws_networkfirewall_firewall", "aws_networkfirewall_firewall_policy", "aws_networkfirewall_rule_group",
             "aws_networkfirewall_logging_configuration", "aws_guardduty_detector", "aws_ec2_traffic_mirror_session")
    attestable = True

    def evaluate(self, stack: Stack) -> list[Finding]:
        firewalls = stack.of_type("aws_networkfirewall_firewall")
        detectors = stack.of_type("aws_guardduty_detector")
        sessions = stack.of_type("aws_ec2_traffic_mirror_session")
        if not (firewalls or detectors or sessions):
            return []  # nothing here could inspect traffic: evidence decides
        problems = []
        for firewall in firewalls:
            problem = self._firewall_problem(stack, firewall)
            if problem is None:
                return [self.finding(firewall, True, f"{firewall.address} runs IPS signatures and logs alerts")]
            problems.append(f"{firewall.address}: {problem}")
        enabled = [d for d in detectors if d.values.get("enable") not in (False, "false")]
        mirrored = [s for s in sessions if s.values.get("traffic_mirror_target_id")]
        if enabled and mirrored:
            return [self.finding(mirrored[0], True, f"GuardDuty {enabled[0].address} and traffic mirroring "
                                                    f"{mirrored[0].address}")]
        problems.append("no enabled GuardDuty detector with a traffic mirror session to a target"
                        if not (enabled and sessions) else "the traffic mirror session has no target")
        anchor = (firewalls or detectors or sessions)[0]
        return [self.finding(anchor, False, "; ".join(problems))]

    @staticmethod
    def _firewall_problem(stack: Stack, firewall: Resource) -> str | None:
        policies = stack.referenced(firewall, "aws_networkfirewall_firewall_policy")
        if not policies:
            return "its firewall policy is not declared in this stack"
        declared, elsewhere = group_references(stack, policies[0], "stateful")
        signatures = [g for g in declared if group_detects_intrusions(g)]
        signatures += [r for r in elsewhere if str(managed_group(r) or "").startswith("ThreatSignatures")]
        if not signatures:
            return f"{policies[0].address} runs no Suricata signatures or AWS managed ThreatSignatures group"
        logged = {d.log_type.upper() for conf in logging_configurations(stack, firewall)
                  for d in log_destinations(conf.values)}
        return None if "ALERT" in logged else "its ALERT logs are not configured"


rule = IntrusionPrevention()
