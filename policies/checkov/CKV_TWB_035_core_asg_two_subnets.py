from checkov.common.models.enums import CheckResult

from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.resource_conf import effective_tags, is_core

MIN_PLACES = 2


class CoreAutoScalingGroupSpansSubnets(ResourceCheck):
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
