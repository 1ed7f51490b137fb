from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from brokerguard.policies.resource_conf import effective_tags, is_core, value


class CoreNoPublicIp(BaseResourceCheck):
    """CC-17010: core systems are isolated from the internet, so they get no public address."""

    control = "firewall"
    fix = (
        'Set associate_public_ip_address = false and reach the system through a load balancer or a '
        'bastion behind the firewall.'
    )

    def __init__(self) -> None:
        super().__init__(
            name="Core compute gets no public IP address",
            id="CKV_TWB_002",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["aws_instance", "aws_launch_template"],
            guideline="docs/checks.md#ckv_twb_002",
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        if not is_core(effective_tags(conf)):
            return CheckResult.UNKNOWN  # only core systems must be isolated
        interfaces = conf.get("network_interfaces") or []
        public = value(conf, "associate_public_ip_address") is True or any(
            isinstance(nic, dict) and value(nic, "associate_public_ip_address") in (True, "true") for nic in interfaces
        )
        if public:
            self.details.append("associate_public_ip_address is true on a core system")
            return CheckResult.FAILED
        return CheckResult.PASSED


check = CoreNoPublicIp()
