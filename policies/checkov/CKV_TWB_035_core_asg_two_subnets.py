from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from brokerguard.policies.resource_conf import effective_tags, is_core

MIN_PLACES = 2


class CoreAutoScalingGroupSpansSubnets(BaseResourceCheck):
    """CC-20000 business continuity: a core auto scaling group launches into at least two subnets
    (or availability zones), so that one zone failing leaves the system running."""

    control = "bcp-drill"
    fix = "List at least two subnets in different availability zones in vpc_zone_identifier."

    def __init__(self) -> None:
        super().__init__(
            name="Core auto scaling groups span at least two subnets",
            id="CKV_TWB_035",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=["aws_autoscaling_group"],
            guideline="docs/checks.md#ckv_twb_035",
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if not is_core(effective_tags(conf)):
            return CheckResult.UNKNOWN
        places = max(len(self._flat(conf.get(key))) for key in ("vpc_zone_identifier", "availability_zones"))
        if places < MIN_PLACES:
            self.details.append(f"launches into {places} subnet(s) or zone(s), fewer than {MIN_PLACES}")
            return CheckResult.FAILED
        return CheckResult.PASSED

    @staticmethod
    def _flat(raw: object) -> list:
        """Checkov wraps the list once more; a plan gives it plain."""
        if isinstance(raw, list) and len(raw) == 1 and isinstance(raw[0], list):
            raw = raw[0]
        return list(dict.fromkeys(raw)) if isinstance(raw, list) else []


check = CoreAutoScalingGroupSpansSubnets()
