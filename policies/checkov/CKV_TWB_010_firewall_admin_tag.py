from checkov.common.models.enums import CheckResult

from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.resource_conf import effective_tags, setting


class FirewallAdminTag(ResourceCheck):
    def scan_resource_conf(self, conf: dict) -> CheckResult:
        key = setting("firewall_admin_tag")
        if effective_tags(conf).get(key, "").strip():
            return CheckResult.PASSED
        self.problem(f"missing tag {key!r} naming the firewall's administrator", f"缺少標示防火牆管理者的標籤 {key!r}")
        return CheckResult.FAILED


check = FirewallAdminTag()
