from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies.meta import Text
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
    def evaluate(self, stack: Stack) -> list[Finding]:
        return [self._judge(stack, e) for e in stack.of_type(*ENTRY_TYPES) if is_public_entry(e)]

    def _judge(self, stack: Stack, entry: Resource) -> Finding:
        protection = shielded(stack, entry)
        if protection is not None:
            return self.finding(entry, True, Text(f"Shield Advanced protection {protection.address}",
                                                  f"Shield Advanced 保護 {protection.address}"))
        why = [Text("no aws_shield_protection covers it", "沒有 aws_shield_protection 涵蓋它")]
        if entry.type == "aws_cloudfront_distribution":
            acls = [a for a in stack.of_type("aws_wafv2_web_acl") if names(entry, "web_acl_id", a, "arn")]
            for acl in acls:
                stops, problem = stops_floods(acl.values)
                if stops:
                    return self.finding(entry, True, Text(f"CloudFront with the rate-based rule of {acl.address}",
                                                          f"CloudFront 搭配 {acl.address} 的速率規則"))
                why.append(Text(f"its web ACL {acl.address}: {problem}", f"其 Web ACL {acl.address}：{problem.zh}"))
            if not acls:
                why.append(Text("no WAFv2 web ACL declared in this stack is attached to it",
                                "此堆疊宣告的 WAFv2 Web ACL 皆未掛載於它"))
        reason = Text.join("; ", why)
        return self.finding(entry, False, Text(
            f"public entry point without DDoS protection shown in code: {reason}; a scrubbing service elsewhere is "
            f"declared as evidence",
            f"程式碼未顯示此對外入口的分散式阻斷服務防護：{reason.zh}；他處的清洗服務以佐證宣告"))


rule = DdosProtection()
