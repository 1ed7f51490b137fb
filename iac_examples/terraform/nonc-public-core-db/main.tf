# Non-compliant (every tier): the core settlement database is publicly accessible and sits
# in a subnet whose route table sends 0.0.0.0/0 to the internet gateway.

provider "aws" {
  region = "ap-northeast-1"
}

resource "aws_vpc" "main" {
  cidr_block = "10.30.0.0/16"
}

resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.main.id
}

resource "aws_subnet" "public_a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.30.0.0/24"
}

resource "aws_subnet" "public_c" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.30.1.0/24"
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.igw.id
  }
}

resource "aws_route_table_association" "public_a" {
  subnet_id      = aws_subnet.public_a.id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table_association" "public_c" {
  subnet_id      = aws_subnet.public_c.id
  route_table_id = aws_route_table.public.id
}

resource "aws_networkfirewall_firewall" "edge" {
  name                = "edge"
  firewall_policy_arn = "arn:aws:network-firewall:ap-northeast-1:111122223333:firewall-policy/edge"
  vpc_id              = aws_vpc.main.id
  subnet_mapping {
    subnet_id = aws_subnet.public_a.id
  }
}

resource "aws_security_group" "db" {
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_db_subnet_group" "public" {
  subnet_ids = [aws_subnet.public_a.id, aws_subnet.public_c.id]
}

resource "aws_db_instance" "settlement" {
  engine                 = "postgres"
  instance_class         = "db.m6i.large"
  allocated_storage      = 100
  db_subnet_group_name   = aws_db_subnet_group.public.name
  vpc_security_group_ids = [aws_security_group.db.id]
  publicly_accessible    = true
  tags = {
    "twb:system"           = "settlement"
    "twb:class"            = "core"
    "twb:confidentiality"  = "high"
    "twb:integrity"        = "high"
    "twb:availability"     = "high"
    "twb:legal-compliance" = "high"
  }
}
