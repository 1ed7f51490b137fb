from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.meta import MEDIUM, Meta, Text
from brokerguard.policies.resource_conf import effective_tags, is_core
from checkov.common.models.enums import CheckResult

MIN_PLACES = 2


class CoreAutoScalingGroupSpansSubnets(ResourceCheck):
    meta = Meta(
        name=Text("Core auto scaling groups span at least two subnets", "核心 Auto Scaling 群組橫跨至少兩個子網路"),
        description=Text(
            "CC-20000 business continuity: a core auto scaling group launches into at least two subnets (or "
            "availability zones), so that one zone failing leaves the system running.",
            "CC-20000 業務持續運作：核心 Auto Scaling 群組於至少兩個子網路（或可用區）啟動執行個體，"
            "單一可用區失效時系統仍能運作。"),
        fix=Text("List at least two subnets in different availability zones in vpc_zone_identifier.",
                 "在 vpc_zone_identifier 列出位於不同可用區的至少兩個子網路。"),
        severity=MEDIUM,
        types=("aws_autoscaling_group",),
        attributes={"tags", "tags_all", "tag", "vpc_zone_identifier", "availability_zones"},
    )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if not is_core(effective_tags(conf)):
            return CheckResult.UNKNOWN
        places = max(len(self._flat(conf.get(key))) for key in ("vpc_zone_identifier", "availability_zones"))
        if places < MIN_PLACES:
            self.problem(f"launches into {places} subnet(s) or zone(s), fewer than {MIN_PLACES}",
                         f"僅於 {places} 個子網路或可用區啟動，少於 {MIN_PLACES} 個")
            return CheckResult.FAILED
        return CheckResult.PASSED

    @staticmethod
    def _flat(raw: object) -> list:
        """Checkov wraps the list once more; a plan gives it plain."""
        if isinstance(raw, list) and len(raw) == 1 and isinstance(raw[0], list):
            raw = raw[0]
        return list(dict.fromkeys(raw)) if isinstance(raw, list) else []


check = CoreAutoScalingGroupSpansSubnets()
