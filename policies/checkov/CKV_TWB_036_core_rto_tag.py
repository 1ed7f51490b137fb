import re

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from brokerguard.policies.resource_conf import CLASSIFIED_TYPES, effective_tags, is_core, setting

# "30m", "4h", "1d", or an ISO 8601 duration such as "PT4H".
DURATION = re.compile(r"^(\d+(\.\d+)?\s*(m|min|h|d)|P(?=\d|T\d)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?)?)$", re.I)


class CoreRtoTag(BaseResourceCheck):
    """CC-20000 business continuity: every core system declares its tolerable outage time (RTO),
    set by the business impact analysis, as a tag (key: the profile's rto_tag, default twb:rto)."""

    control = "bcp-drill"
    fix = 'Tag the core system (or the provider\'s default_tags) with its RTO, e.g. "twb:rto" = "4h".'

    def __init__(self) -> None:
        super().__init__(
            name="Core systems declare their tolerable outage time (RTO) as a tag",
            id="CKV_TWB_036",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=CLASSIFIED_TYPES,
            guideline="docs/checks.md#ckv_twb_036",
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        tags = effective_tags(conf)
        if not is_core(tags):
            return CheckResult.UNKNOWN
        key = setting("rto_tag")
        rto = tags.get(key, "").strip()
        if not rto:
            self.details.append(f"missing tag {key!r} (tolerable outage time, e.g. 4h)")
        elif not DURATION.match(rto):
            self.details.append(f"tag {key!r} is {rto!r}, not a duration such as 30m, 4h, 1d or PT4H")
        return CheckResult.FAILED if self.details else CheckResult.PASSED


check = CoreRtoTag()
