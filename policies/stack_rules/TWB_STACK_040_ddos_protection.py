from brokerguard.policies.meta import HIGH, Meta, Text
from brokerguard.policies.stack_rule import StackRule, blocks, names
from brokerguard.policies.waf import stops_floods

from brokerguard.model import Finding, Resource, Stack

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
    meta = Meta(
        name=Text("Every public entry point is protected against DDoS (Shield Advanced, or CloudFront with a "
                  "rate-based WAF rule)",
                  "每個對外入口皆有分散式阻斷服務防護（Shield Advanced，或 CloudFront 搭配 WAF 速率規則）"),
        description=Text(
            "CC-17010 DDoS protection (網路安全防護參考指引 art. 16-2): every public entry point (CloudFront "
            "distribution, internet-facing load balancer, Elastic IP, public Route 53 zone, Global Accelerator) is "
            "covered by an AWS Shield Advanced protection (aws_shield_protection), or is a CloudFront distribution whose "
            "WAFv2 web ACL has a rate-based rule that stops floods. An entry point with neither may sit behind a "
            "scrubbing service that code cannot show (and Shield Standard has no resource): the control then needs "
            "evidence and is evidence_missing without it, never a pass. A stack without entry points: evidence decides.",
            "CC-17010 分散式阻斷服務防護（網路安全防護參考指引第16-2條）：每個對外入口（CloudFront 發布、面向網際網路的負載"
            "平衡器、彈性 IP、公開 Route 53 代管區域、Global Accelerator）皆受 AWS Shield Advanced 保護"
            "（aws_shield_protection），或為其 WAFv2 Web ACL 具阻擋型速率規則的 CloudFront 發布。兩者皆無的入口可能位於"
            "程式碼看不到的清洗服務之後（Shield Standard 亦無資源）：此時需佐證，未宣告即為缺佐證，絕不視為通過。"
            "堆疊中沒有對外入口時由佐證決定。"),
        fix=Text("Add an aws_shield_protection whose resource_arn is the entry point's ARN (Shield Advanced "
                 "subscription), or serve it through CloudFront with a WAFv2 web ACL holding a blocking rate-based rule; "
                 "or declare the scrubbing service as evidence for ddos-protection.",
                 "新增 resource_arn 為入口 ARN 的 aws_shield_protection（需訂閱 Shield Advanced），或經由 CloudFront 並"
                 "掛載具阻擋型速率規則的 WAFv2 Web ACL；或以佐證資料宣告 ddos-protection 的清洗服務。"),
        severity=HIGH,
        types=(*ENTRY_TYPES, "aws_shield_protection", "aws_wafv2_web_acl"),
        attributes={"internal", "web_acl_id", "vpc", "arn", "allocation_id"},
        attestable=True,
        evidence_gap=True,
    )

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
