from brokerguard.model import Finding, Resource, Stack
from brokerguard.policies.meta import Text
from brokerguard.policies.resource_conf import setting, tag_keys
from brokerguard.policies.stack_rule import StackRule


def is_trading_pool(pool: Resource) -> bool:
    """Declared as a trading login: tagged tag_keys.trading_login = true, or named in the profile's
    settings.trading_user_pools (by its name or its address)."""
    if pool.tags.get(tag_keys()["trading_login"], "").strip().lower() == "true":
        return True
    declared = set(setting("trading_user_pools"))
    return pool.address in declared or str(pool.values.get("name")) in declared


class TradingLoginMfa(StackRule):
    def evaluate(self, stack: Stack) -> list[Finding]:
        findings = []
        for pool in stack.of_type("aws_cognito_user_pool"):
            if not is_trading_pool(pool):
                continue
            mfa = str(pool.values.get("mfa_configuration") or "OFF").upper()
            if mfa == "ON":
                findings.append(self.finding(pool, True))
            else:
                findings.append(self.finding(pool, False, Text(
                    f"mfa_configuration is {mfa}: customers can log in without a second factor",
                    f"mfa_configuration 為 {mfa}：客戶可不經第二因子登入")))
        return findings


rule = TradingLoginMfa()
