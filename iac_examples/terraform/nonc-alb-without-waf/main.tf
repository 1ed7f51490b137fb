# Non-compliant at tiers 1-2 from 2023: the internet-facing ALB of the online order system
# has no WAFv2 web ACL association. (At tiers 3-4 WAF is not required: not_applicable.)

provider "aws" {
  region = "ap-northeast-1"
  default_tags {
    tags = {
      "twb:system"           = "online-order"
      "twb:class"            = "core"
      "twb:confidentiality"  = "high"
      "twb:integrity"        = "high"
      "twb:availability"     = "high"
      "twb:legal-compliance" = "high"
    }
  }
}

resource "aws_lb" "web" {
  name               = "online-order"
  load_balancer_type = "application"
  internal           = false
  subnets            = ["subnet-0aaaaaaaaaaaaaaa0", "subnet-0ccccccccccccccc0"]
}

# An internal load balancer needs no WAF.
resource "aws_lb" "internal" {
  name               = "risk-engine"
  load_balancer_type = "application"
  internal           = true
  subnets            = ["subnet-0bbbbbbbbbbbbbbb0", "subnet-0ddddddddddddddd0"]
}
