import re

from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.meta import LOW, Meta, Text
from brokerguard.policies.resource_conf import CLASSIFIED_TYPES, effective_tags, is_core, setting
from checkov.common.models.enums import CheckResult

# "30m", "4h", "1d", or an ISO 8601 duration such as "PT4H".
DURATION = re.compile(r"^(\d+(\.\d+)?\s*(m|min|h|d)|P(?=\d|T\d)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?)?)$", re.I)


class CoreRtoTag(ResourceCheck):
    meta = Meta(
        name=Text("Core systems declare their tolerable outage time (RTO) as a tag", "核心系統以標籤宣告可容忍中斷時間（RTO）"),
        description=Text(
            "CC-20000 business continuity: every core system declares its tolerable outage time (RTO), set by the "
            "business impact analysis, as a tag (key: the profile's rto_tag, default twb:rto).",
            "CC-20000 業務持續運作：每個核心系統以標籤宣告經營運衝擊分析訂定的可容忍中斷時間（RTO）"
            "（標籤鍵：設定檔的 rto_tag，預設 twb:rto）。"),
        fix=Text('Tag the core system (or the provider\'s default_tags) with its RTO, e.g. "twb:rto" = "4h".',
                 '在核心系統（或 provider 的 default_tags）標示其 RTO，例如 "twb:rto" = "4h"。'),
        severity=LOW,
        types=CLASSIFIED_TYPES,
        attributes={"tags", "tags_all", "tag"},
    )

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
