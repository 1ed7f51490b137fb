# The tier-1 stack (../tier1-compliant) as the 2023-2024 guidelines want it too: in AWS Asia Pacific
# (Taipei), ap-east-2, where material customer data must stay; every data store declares its data
# class. Judge it with --rule-set twse-tiers-2021,twse-guidelines-2024.

provider "aws" {
  region = "ap-east-2"
  default_tags {
    tags = {
      "twb:system"           = "online-trading"
      "twb:confidentiality"  = "high"
      "twb:integrity"        = "high"
      "twb:availability"     = "high"
      "twb:legal-compliance" = "high"
      "twb:rto"              = "2h"
      # Every data store declares its data class; the material ones say so on the store.
      "twb:data-class"       = "other"
    }
  }
}

resource "aws_vpc" "trading" {
  cidr_block = "10.10.0.0/16"
}

resource "aws_internet_gateway" "igw" {
  vpc_id = aws_vpc.trading.id
}

resource "aws_subnet" "public_a" {
  vpc_id            = aws_vpc.trading.id
  cidr_block        = "10.10.0.0/24"
  availability_zone = "ap-east-2a"
}

resource "aws_subnet" "public_c" {
  vpc_id            = aws_vpc.trading.id
  cidr_block        = "10.10.1.0/24"
  availability_zone = "ap-east-2b"
}

resource "aws_subnet" "firewall" {
  vpc_id            = aws_vpc.trading.id
  cidr_block        = "10.10.2.0/28"
  availability_zone = "ap-east-2a"
}

resource "aws_subnet" "private_a" {
  vpc_id            = aws_vpc.trading.id
  cidr_block        = "10.10.10.0/24"
  availability_zone = "ap-east-2a"
}

resource "aws_subnet" "private_c" {
  vpc_id            = aws_vpc.trading.id
  cidr_block        = "10.10.11.0/24"
  availability_zone = "ap-east-2b"
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.trading.id
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

# Private subnets leave the VPC only through the firewall endpoint.
resource "aws_route_table" "private" {
  vpc_id = aws_vpc.trading.id
}

resource "aws_route" "private_egress" {
  route_table_id         = aws_route_table.private.id
  destination_cidr_block = "0.0.0.0/0"
  # the firewall's endpoint (one subnet mapping: one endpoint)
  vpc_endpoint_id = tolist(aws_networkfirewall_firewall.trading.firewall_status[0].sync_states)[0].attachment[0].endpoint_id
}

resource "aws_route_table_association" "private_a" {
  subnet_id      = aws_subnet.private_a.id
  route_table_id = aws_route_table.private.id
}

resource "aws_route_table_association" "private_c" {
  subnet_id      = aws_subnet.private_c.id
  route_table_id = aws_route_table.private.id
}
