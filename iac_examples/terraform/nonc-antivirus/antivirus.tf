# NOT COMPLIANT (antivirus): the association runs a shell script, not an endpoint protection agent,
# and customer uploads land in the bucket unscanned (no GuardDuty malware protection plan).

resource "aws_ssm_association" "endpoint_agent" {
  name = "AWS-RunShellScript"
  parameters = {
    commands = "yum -y update"
  }
  targets {
    key    = "tag:twb:system"
    values = ["online-trading"]
  }
  schedule_expression = "rate(1 day)"
}

# Customers upload account-opening documents from the browser.
resource "aws_s3_bucket" "uploads" {
  bucket = "example-securities-customer-uploads"
  tags = {
    "twb:system"          = "account-opening"
    "twb:class"           = "non-core"
    "twb:confidentiality" = "high"
  }
}

resource "aws_s3_bucket_cors_configuration" "uploads" {
  bucket = aws_s3_bucket.uploads.id
  cors_rule {
    allowed_methods = ["PUT"]
    allowed_origins = ["https://www.example-securities.com.tw"]
    allowed_headers = ["*"]
  }
}
