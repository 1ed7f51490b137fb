from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.meta import LOW, Meta, Text
from brokerguard.policies.resource_conf import effective_tags, setting
from checkov.common.models.enums import CheckResult


class FirewallAdminTag(ResourceCheck):
    meta = Meta(
        name=Text("Network firewalls carry a tag naming their administrator", "網路防火牆以標籤標示其管理者"),
        description=Text(
            "CC-17010: a firewall has a named administrator; the firewall carries a tag naming them (tag key: profile "
            "setting firewall_admin_tag).",
            "CC-17010：防火牆應有專人管理；防火牆以標籤標示管理者（標籤鍵：設定檔的 firewall_admin_tag）。"),
        fix=Text("Tag the aws_networkfirewall_firewall with the administrator (a person or team mailbox) under the key "
                 "set by firewall_admin_tag (default twb:firewall-admin).",
                 "在 aws_networkfirewall_firewall 以 firewall_admin_tag 指定的標籤鍵（預設 twb:firewall-admin）"
                 "標示管理者（人員或團隊信箱）。"),
        severity=LOW,
        types=("aws_networkfirewall_firewall",),
        attributes={"tags", "tags_all"},
    )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        key = setting("firewall_admin_tag")
        if effective_tags(conf).get(key, "").strip():
            return CheckResult.PASSED
        self.problem(f"missing tag {key!r} naming the firewall's administrator", f"缺少標示防火牆管理者的標籤 {key!r}")
        return CheckResult.FAILED


check = FirewallAdminTag()
