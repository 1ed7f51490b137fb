resource "aws_security_group" "alb" {
  name   = "alb"
  vpc_id = aws_vpc.trading.id
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "order" {
  name   = "order"
  vpc_id = aws_vpc.trading.id
  ingress {
    from_port       = 8443
    to_port         = 8443
    protocol        = "tcp"
    security_groups = [aws_security_group.alb.id]
  }
}

resource "aws_security_group" "db" {
  name   = "db"
  vpc_id = aws_vpc.trading.id
}

resource "aws_vpc_security_group_ingress_rule" "db_from_order" {
  security_group_id            = aws_security_group.db.id
  referenced_security_group_id = aws_security_group.order.id
  from_port                    = 5432
  to_port                      = 5432
  ip_protocol                  = "tcp"
}

resource "aws_lb" "web" {
  name               = "online-order"
  load_balancer_type = "application"
  internal           = false
  security_groups    = [aws_security_group.alb.id]
  subnets            = [aws_subnet.public_a.id, aws_subnet.public_c.id]
  tags = {
    "twb:class" = "core"
  }
}

resource "aws_instance" "order" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "m6i.large"
  subnet_id              = aws_subnet.private_a.id
  vpc_security_group_ids = [aws_security_group.order.id]
  tags = {
    "twb:class" = "core"
  }
}

resource "aws_db_subnet_group" "trading" {
  name       = "trading"
  subnet_ids = [aws_subnet.private_a.id, aws_subnet.private_c.id]
}

resource "aws_db_instance" "ledger" {
  identifier             = "ledger"
  engine                 = "postgres"
  instance_class         = "db.m6i.large"
  allocated_storage      = 100
  db_subnet_group_name   = aws_db_subnet_group.trading.name
  vpc_security_group_ids = [aws_security_group.db.id]
  publicly_accessible    = false
  multi_az               = true
  backup_retention_period = 14
  username               = "ledger"
  manage_master_user_password = true
  # Customer accounts and positions: customer data of a material natural-person business system,
  # encrypted under the firm's own rotating key (customer_data.tf).
  storage_encrypted = true
  kms_key_id        = aws_kms_key.customer_data.arn
  tags = {
    "twb:class"      = "core"
    "twb:data-class" = "material-natural-person"
  }
}

resource "aws_s3_bucket" "reports" {
  bucket = "example-securities-reports"
  tags = {
    "twb:system"          = "back-office-reporting"
    "twb:class"           = "non-core"
    "twb:confidentiality" = "medium"
    "twb:availability"    = "low"
  }
}
