from checkov.common.models.enums import CheckResult

from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.firewall import LOG_DESTINATION_TYPES, log_destinations


class FirewallLogsFlowAndAlert(ResourceCheck):
    def scan_resource_conf(self, conf: dict) -> CheckResult:
        sent = {d.log_type.upper() for d in log_destinations(conf) if d.kind in LOG_DESTINATION_TYPES}
        missing = [t for t in ("FLOW", "ALERT") if t not in sent]
        if missing:
            self.problem(f"no {' and no '.join(missing)} log destination", f"沒有 {'、'.join(missing)} 紀錄目的地")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = FirewallLogsFlowAndAlert()
