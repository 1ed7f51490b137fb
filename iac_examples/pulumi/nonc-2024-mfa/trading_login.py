"""Non-compliant twin of iac_examples/terraform/nonc-2024-mfa: the trading user pool makes the second
factor OPTIONAL."""

import pulumi_aws as aws


def build_trading_login() -> None:
    aws.cognito.UserPool("customers", name="online-trading-customers", mfa_configuration="OPTIONAL",
                         software_token_mfa_configuration=aws.cognito.UserPoolSoftwareTokenMfaConfigurationArgs(
                             enabled=True),
                         tags={"twb:class": "core", "twb:trading-login": "true"})
