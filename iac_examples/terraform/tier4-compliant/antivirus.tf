# Malware protection: an endpoint protection agent on every instance of the account (SSM
# Distributor package). Mail is filtered by a cloud service outside this stack: the profile
# declares it as evidence.

resource "aws_ssm_association" "endpoint_agent" {
  name = "AWS-ConfigureAWSPackage"
  parameters = {
    action = "Install"
    name   = "ExampleEndpointProtectionAgent"
  }
  targets {
    key    = "InstanceIds"
    values = ["*"]
  }
  schedule_expression = "rate(1 day)"
}
