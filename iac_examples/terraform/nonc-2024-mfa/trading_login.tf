# Non-compliant (MFA for electronic trading): the trading user pool makes the second factor
# OPTIONAL, so a customer can sign in with a password alone.
resource "aws_cognito_user_pool" "customers" {
  name              = "online-trading-customers"
  mfa_configuration = "OPTIONAL"
  software_token_mfa_configuration {
    enabled = true
  }
  tags = {
    "twb:class"         = "core"
    "twb:trading-login" = "true"
  }
}
