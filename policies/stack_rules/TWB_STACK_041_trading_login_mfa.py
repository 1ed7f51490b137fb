from brokerguard.model import Finding, Resource, Stack
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
    """CC-18000 MFA for electronic-trading login (新興科技資通安全管控指引 art. 35): a Cognito user pool through
    which customers log in for electronic trading requires a second factor at every sign-in
    (mfa_configuration = "ON"; OPTIONAL lets a customer skip it). Which pools are trading logins is declared:
    the tag tag_keys.trading_login = "true", or settings.trading_user_pools in the profile. A stack without a
    declared trading pool (another identity provider): evidence decides.
    """

    id = "TWB_STACK_041"
    name = "Cognito user pools of electronic-trading login require MFA (mfa_configuration ON)"
    control = "etrading-mfa"
    fix = ('Set mfa_configuration = "ON" with software_token_mfa_configuration (or SMS) on the trading user pool; '
           'or, when another identity provider runs the login, declare its MFA as evidence for etrading-mfa.')
    guideline = "docs/checks.md#twb_stack_041"
    reads = ("aws_cognito_user_pool",)

    def evaluate(self, stack: Stack) -> list[Finding]:
        findings = []
        for pool in stack.of_type("aws_cognito_user_pool"):
            if not is_trading_pool(pool):
                continue
            mfa = str(pool.values.get("mfa_configuration") or "OFF").upper()
            findings.append(self.finding(pool, mfa == "ON", "ok" if mfa == "ON" else
                                         f"mfa_configuration is {mfa}: customers can log in without a second factor"))
        return findings


rule = TradingLoginMfa()
