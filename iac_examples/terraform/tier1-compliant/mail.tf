# Customer mail through Amazon SES: inbound mail is scanned for spam and viruses and accepted
# only over TLS; the sending domain signs with DKIM and publishes SPF and an enforcing DMARC policy.

resource "aws_route53_zone" "public" {
  name = "example-securities.com.tw"
}

resource "aws_ses_domain_identity" "mail" {
  domain = "example-securities.com.tw"
}

resource "aws_ses_domain_dkim" "mail" {
  domain = aws_ses_domain_identity.mail.domain
}

resource "aws_route53_record" "spf" {
  zone_id = aws_route53_zone.public.zone_id
  name    = "example-securities.com.tw"
  type    = "TXT"
  ttl     = 300
  records = ["v=spf1 include:amazonses.com -all"]
}

resource "aws_route53_record" "dmarc" {
  zone_id = aws_route53_zone.public.zone_id
  name    = "_dmarc.example-securities.com.tw"
  type    = "TXT"
  ttl     = 300
  records = ["v=DMARC1; p=reject; rua=mailto:dmarc-reports@example-securities.com.tw"]
}

resource "aws_ses_receipt_rule_set" "inbound" {
  rule_set_name = "inbound"
}

resource "aws_ses_receipt_rule" "service_desk" {
  name          = "service-desk"
  rule_set_name = aws_ses_receipt_rule_set.inbound.rule_set_name
  recipients    = ["service@example-securities.com.tw"]
  enabled       = true
  scan_enabled  = true
  tls_policy    = "Require"
  s3_action {
    bucket_name = "example-securities-inbound-mail"
    position    = 1
  }
}
