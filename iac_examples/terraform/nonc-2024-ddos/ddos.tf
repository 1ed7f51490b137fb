# Non-compliant (DDoS): the public hosted zone is covered by Shield Advanced, the online-order ALB is
# not, and nothing in code shows a scrubbing service in front of it: ddos-protection is evidence_missing.
resource "aws_shield_protection" "zone" {
  name         = "public-zone"
  resource_arn = aws_route53_zone.public.arn
}
