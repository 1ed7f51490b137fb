"""Customer mail through Amazon SES: inbound mail is scanned and accepted only over TLS; the sending
domain signs with DKIM and publishes SPF and an enforcing DMARC policy."""

import pulumi_aws as aws


def build_mail() -> aws.route53.Zone:
    """Returns the public hosted zone (an entry point the 2024 twin protects against DDoS)."""
    zone = aws.route53.Zone("public", name="example-securities.com.tw")
    identity = aws.ses.DomainIdentity("mail", domain="example-securities.com.tw")
    aws.ses.DomainDkim("mail", domain=identity.domain)
    aws.route53.Record("spf", zone_id=zone.zone_id, name="example-securities.com.tw", type="TXT", ttl=300,
                       records=["v=spf1 include:amazonses.com -all"])
    aws.route53.Record("dmarc", zone_id=zone.zone_id, name="_dmarc.example-securities.com.tw", type="TXT", ttl=300,
                       records=["v=DMARC1; p=reject; rua=mailto:dmarc-reports@example-securities.com.tw"])
    rule_set = aws.ses.ReceiptRuleSet("inbound", rule_set_name="inbound")
    aws.ses.ReceiptRule("service_desk", name="service-desk", rule_set_name=rule_set.rule_set_name,
                        recipients=["service@example-securities.com.tw"], enabled=True, scan_enabled=True,
                        tls_policy="Require",
                        s3_actions=[aws.ses.ReceiptRuleS3ActionArgs(bucket_name="example-securities-inbound-mail",
                                                                    position=1)])
    return zone
