"""Electronic-trading login (新興科技資通安全管控指引 art. 35): the customers' user pool, declared as the
trading login by its tag, asks every sign-in for a second factor."""

import pulumi_aws as aws


def build_trading_login() -> None:
    aws.cognito.UserPool("customers", name="online-trading-customers", mfa_configuration="ON",
                         software_token_mfa_configuration=aws.cognito.UserPoolSoftwareTokenMfaConfigurationArgs(
                             enabled=True),
                         tags={"twb:class": "core", "twb:trading-login": "true"})
