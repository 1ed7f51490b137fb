from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.meta import HIGH, Meta, Text
from brokerguard.policies.resource_conf import effective_tags, is_core, value
from checkov.common.models.enums import CheckResult


class CoreNoPublicIp(ResourceCheck):
    meta = Meta(
        name=Text("Core compute gets no public IP address", "核心運算資源不取得公有 IP 位址"),
        description=Text("CC-17010: core systems are isolated from the internet, so they get no public address.",
                         "CC-17010：核心系統與網際網路隔離，因此不取得公有位址。"),
        fix=Text("Set associate_public_ip_address = false and reach the system through a load balancer or a bastion "
                 "behind the firewall.",
                 "設定 associate_public_ip_address = false，並經由防火牆後方的負載平衡器或跳板主機存取該系統。"),
        severity=HIGH,
        types=("aws_instance", "aws_launch_template"),
        attributes={"tags", "tags_all", "associate_public_ip_address", "network_interface", "network_interfaces"},
    )

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
