# Non-compliant (every tier, from 2022-01-31): systems without complete classification tags.

provider "aws" {
  region = "ap-northeast-1"
}

# No tags at all.
resource "aws_instance" "quotes" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "c6i.large"
  subnet_id     = "subnet-0123456789abcdef0"
}

# Class and levels given, but no system name, and a level outside high/medium/low.
resource "aws_dynamodb_table" "sessions" {
  name         = "sessions"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {
    name = "id"
    type = "S"
  }
  tags = {
    "twb:class"            = "core"
    "twb:confidentiality"  = "high"
    "twb:integrity"        = "critical"
    "twb:availability"     = "high"
    "twb:legal-compliance" = "medium"
  }
}

# Complete: passes.
resource "aws_s3_bucket" "archive" {
  bucket = "example-securities-archive"
  tags = {
    "twb:system"           = "archive"
    "twb:class"            = "non-core"
    "twb:confidentiality"  = "medium"
    "twb:integrity"        = "medium"
    "twb:availability"     = "low"
    "twb:legal-compliance" = "high"
  }
}
