import re

from checkov.common.models.enums import CheckResult

from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.resource_conf import effective_tags, is_core, setting

# "30m", "4h", "1d", or an ISO 8601 duration such as "PT4H".
DURATION = re.compile(r"^(\d+(\.\d+)?\s*(m|min|h|d)|P(?=\d|T\d)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?)?)$", re.I)


class CoreRtoTag(ResourceCheck):
    def scan_resource_conf(self, conf: dict) -> CheckResult:
        tags = effective_tags(conf)
        if not is_core(tags):
            return CheckResult.UNKNOWN
        key = setting("rto_tag")
        rto = tags.get(key, "").strip()
        if not rto:
            self.problem(f"missing tag {key!r} (tolerable outage time, e.g. 4h)", f"缺少標籤 {key!r}（可容忍中斷時間，例如 4h）")
        elif not DURATION.match(rto):
            self.problem(f"tag {key!r} is {rto!r}, not a duration such as 30m, 4h, 1d or PT4H",
                         f"標籤 {key!r} 為 {rto!r}，不是 30m、4h、1d 或 PT4H 之類的時間長度")
        return CheckResult.FAILED if self.details else CheckResult.PASSED


check = CoreRtoTag()
