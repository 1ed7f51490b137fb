from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from brokerguard.policies.resource_conf import effective_tags, setting


class FirewallAdminTag(BaseResourceCheck):
    """CC-17010: a firewall has a named administrator; the firewall carries a tag naming them (tag key: profile
    setting firewall_admin_tag).
    """

    control = "firewall"
    fix = (
        'Tag the aws_networkfirewall_firewall with the administrator (a person or team mailbox) under '
        'the key set by firewall_admin_tag (default twb:firewall-admin).'
    )

    def __init__(self) -> None:
        super().__init__(
            name="Network firewalls carry a tag naming their administrator",
            id="CKV_TWB_010",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["aws_networkfirewall_firewall"],
            guideline="docs/checks.md#ckv_twb_010",
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        key = setting("firewall_admin_tag")
        if effective_tags(conf).get(key, "").strip():
            return CheckResult.PASSED
        self.details.append(f"missing tag {key!r} naming the firewall's administrator")
        return CheckResult.FAILED


check = FirewallAdminTag()
