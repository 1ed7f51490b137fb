from brokerguard.policies.meta import HIGH, Meta, Text
from brokerguard.policies.resource_conf import setting, tag_keys
from brokerguard.policies.stack_rule import StackRule

from brokerguard.model import Finding, Resource, Stack


def is_trading_pool(pool: Resource) -> bool:
    """Declared as a trading login: tagged tag_keys.trading_login = true, or named in the profile's
    settings.trading_user_pools (by its name or its address)."""
    if pool.tags.get(tag_keys()["trading_login"], "").strip().lower() == "true":
        return True
    declared = set(setting("trading_user_pools"))
    return pool.address in declared or str(pool.values.get("name")) in declared


class TradingLoginMfa(StackRule):
    meta = Meta(
        name=Text("Cognito user pools of electronic-trading login require MFA (mfa_configuration ON)",
                  "電子交易登入的 Cognito 使用者集區要求多因子驗證（mfa_configuration 為 ON）"),
        description=Text(
            "CC-18000 MFA for electronic-trading login (新興科技資通安全管控指引 art. 35): a Cognito user pool through "
            "which customers log in for electronic trading requires a second factor at every sign-in "
            "(mfa_configuration = \"ON\"; OPTIONAL lets a customer skip it). Which pools are trading logins is declared: "
            "the tag tag_keys.trading_login = \"true\", or settings.trading_user_pools in the profile. A stack without "
            "a declared trading pool (another identity provider): evidence decides.",
            "CC-18000 電子交易登入多因子驗證（新興科技資通安全管控指引第35條）：客戶登入電子交易所用的 Cognito 使用者集區"
            "每次登入皆要求第二因子（mfa_configuration = \"ON\"；OPTIONAL 允許客戶略過）。哪些集區屬交易登入由宣告決定："
            "標籤 tag_keys.trading_login = \"true\"，或設定檔的 settings.trading_user_pools。堆疊中沒有宣告的交易集區"
            "（其他身分提供者）時由佐證決定。"),
        fix=Text("Set mfa_configuration = \"ON\" with software_token_mfa_configuration (or SMS) on the trading user "
                 "pool; or, when another identity provider runs the login, declare its MFA as evidence for etrading-mfa.",
                 "在交易使用者集區設定 mfa_configuration = \"ON\" 並啟用 software_token_mfa_configuration（或簡訊）；"
                 "若登入由其他身分提供者處理，以佐證資料宣告 etrading-mfa 的多因子驗證。"),
        severity=HIGH,
        types=("aws_cognito_user_pool",),
        attributes={"tags", "tags_all", "name", "mfa_configuration"},
    )

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
