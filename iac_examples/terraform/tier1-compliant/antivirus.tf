# Malware protection: an endpoint protection agent on every instance of the trading system
# (SSM Distributor package), and GuardDuty scanning of every customer upload.

resource "aws_ssm_association" "endpoint_agent" {
  name = "AWS-ConfigureAWSPackage"
  parameters = {
    action = "Install"
    name   = "ExampleEndpointProtectionAgent"
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

resource "aws_guardduty_malware_protection_plan" "uploads" {
  role = "arn:aws:iam::123456789012:role/guardduty-malware-protection"
  protected_resource {
    s3_bucket {
      bucket_name = aws_s3_bucket.uploads.id
    }
  }
  actions {
    tagging {
      status = "ENABLED"
    }
  }
}
