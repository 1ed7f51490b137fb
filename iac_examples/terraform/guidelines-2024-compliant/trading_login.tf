# Electronic-trading login (新興科技資通安全管控指引 art. 35): customers sign in to the online order
# system through this user pool, declared as the trading login by its tag; every sign-in needs a
# password and a one-time code from an authenticator app (two factors).
resource "aws_cognito_user_pool" "customers" {
  name              = "online-trading-customers"
  mfa_configuration = "ON"
  software_token_mfa_configuration {
    enabled = true
  }
  tags = {
    "twb:class"         = "core"
    "twb:trading-login" = "true"
  }
}
