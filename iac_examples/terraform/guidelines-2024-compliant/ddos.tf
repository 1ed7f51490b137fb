# DDoS protection (網路安全防護參考指引 art. 16-2): each public entry point, the online-order ALB and
# the public hosted zone of the mail domain, is covered by Shield Advanced.
resource "aws_shield_protection" "web" {
  name         = "online-order-alb"
  resource_arn = aws_lb.web.arn
}

resource "aws_shield_protection" "zone" {
  name         = "public-zone"
  resource_arn = aws_route53_zone.public.arn
}
