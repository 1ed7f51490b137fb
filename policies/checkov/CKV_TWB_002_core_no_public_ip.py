from checkov.common.models.enums import CheckResult

from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.resource_conf import effective_tags, is_core, value


class CoreNoPublicIp(ResourceCheck):
    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if not is_core(effective_tags(conf)):
            return CheckResult.UNKNOWN  # only core systems must be isolated
        interfaces = conf.get("network_interfaces") or []
        public = value(conf, "associate_public_ip_address") is True or any(
            isinstance(nic, dict) and value(nic, "associate_public_ip_address") in (True, "true") for nic in interfaces
        )
        if public:
            self.problem("associate_public_ip_address is true on a core system",
                         "核心系統的 associate_public_ip_address 為 true")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = CoreNoPublicIp()
