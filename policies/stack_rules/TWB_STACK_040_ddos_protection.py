from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies.stack_rule import StackRule, blocks, names
from brokerguard.policies.waf import stops_floods

# What the internet reaches directly: each needs its own DDoS protection.
ENTRY_TYPES = ("aws_cloudfront_distribution", "aws_lb", "aws_alb", "aws_elb", "aws_eip", "aws_route53_zone",
               "aws_globalaccelerator_accelerator")


def is_public_entry(r: Resource) -> bool:
    """An internal load balancer and a private hosted zone are not reached from the internet; an unknown
    `internal` counts as internet-facing (an exposure counts when it may be)."""
    if r.type in ("aws_lb", "aws_alb", "aws_elb"):
        return r.values.get("internal") not in (True, "true")
    if r.type == "aws_route53_zone":
        return not blocks(r.values, "vpc")
    return True


def shielded(stack: Stack, entry: Resource) -> Resource | None:
    """The Shield Advanced protection whose resource_arn designates this entry point (an EIP by its allocation)."""
    for protection in stack.of_type("aws_shield_protection"):
        arn = str(protection.values.get("resource_arn") or "")
        allocation = entry.values.get("allocation_id") or entry.values.get("id")
        if names(protection, "resource_arn", entry, "arn") or (
                entry.type == "aws_eip" and allocation and arn.endswith(f"eip-allocation/{allocation}")):
            return protection
    return None


class DdosProtection(StackRule):
    """CC-17010 DDoS protection (網路安全防護參考指引 art. 16-2): every public entry point (CloudFront
    distribution, internet-facing load balancer, Elastic IP, public Route 53 zone, Global Accelerator) is
    covered by an AWS Shield Advanced protection (aws_shield_protection), or is a CloudFront distribution
    whose WAFv2 web ACL has a rate-based rule that stops floods. An entry point with neither may sit behind a
    scrubbing service that code cannot show (and Shield Standard has no resource): the control then needs
    evidence and is evidence_missing without it, never a pass. A stack without entry points: evidence decides.
    """

    id = "TWB_STACK_040"
    name = "Every public entry point is protected against DDoS (Shield Advanced, or CloudFront with a rate-based WAF rule)"
    control = "ddos-protection"
    fix = ("Add an aws_shield_protection whose resource_arn is the entry point's ARN (Shield Advanced "
           "subscription), or serve it through CloudFront with a WAFv2 web ACL holding a blocking rate-based rule; "
           "or declare the scrubbing service as evidence for ddos-protection.")
    guideline = "docs/checks.md#twb_stack_040"
    reads = (*ENTRY_TYPES, "aws_shield_protection", "aws_wafv2_web_acl")
    attestable = True
    evidence_gap = True

    def evaluate(self, stack: Stack) -> list[Finding]:
        return [self._judge(stack, e) for e in stack.of_type(*ENTRY_TYPES) if is_public_entry(e)]

    def _judge(self, stack: Stack, entry: Resource) -> Finding:
        protection = shielded(stack, entry)
        if protection is not None:
            return self.finding(entry, True, f"Shield Advanced protection {protection.address}")
        why = "no aws_shield_protection covers it"
        if entry.type == "aws_cloudfront_distribution":
            acls = [a for a in stack.of_type("aws_wafv2_web_acl") if names(entry, "web_acl_id", a, "arn")]
            for acl in acls:
                stops, problem = stops_floods(acl.values)
                if stops:
                    return self.finding(entry, True, f"CloudFront with the rate-based rule of {acl.address}")
                why += f", and its web ACL {acl.address}: {problem}"
            if not acls:
                why += ", and no WAFv2 web ACL declared in this stack is attached to it"
        return self.finding(entry, False, f"public entry point without DDoS protection shown in code: {why}; "
                                          f"a scrubbing service elsewhere is declared as evidence")


rule = DdosProtection()
