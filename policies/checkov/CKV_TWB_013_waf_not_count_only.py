from checkov.common.models.enums import CheckResult

from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.resource_conf import setting
from brokerguard.policies.waf import blocks_requests, managed_group_name, overridden_to_count, rules


class WafNotCountOnly(ResourceCheck):
    def scan_resource_conf(self, conf: dict) -> CheckResult:
        owasp = set(setting("waf_owasp_rule_groups"))
        counted = [str(managed_group_name(r)) for r in rules(conf)
                   if managed_group_name(r) in owasp and overridden_to_count(r)]
        if counted:
            self.problem(f"override_action count on {', '.join(counted)}: matches are only counted",
                         f"{', '.join(counted)} 的 override_action 為 count：符合的請求僅被計數")
        if not blocks_requests(conf):
            self.problem("neither the default action nor any rule blocks", "預設動作與所有規則皆不阻擋")
        return CheckResult.FAILED if self.details else CheckResult.PASSED


check = WafNotCountOnly()
