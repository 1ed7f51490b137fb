# Non-compliant (customer-data location): the ledger, which holds material natural-person customer
# data, has a cross-region read replica in Tokyo, and no exception is declared.
resource "aws_kms_key" "customer_data" {
  description         = "Customer data of the online-trading system"
  enable_key_rotation = true
}

provider "aws" {
  alias  = "tokyo"
  region = "ap-northeast-1"
}

resource "aws_db_instance" "ledger_replica" {
  provider            = aws.tokyo
  identifier          = "ledger-replica"
  replicate_source_db = aws_db_instance.ledger.arn
  instance_class      = "db.m6i.large"
  storage_encrypted   = true
  kms_key_id          = aws_kms_key.customer_data.arn
  # The Tokyo provider has no default tags: the replica carries its classification itself.
  tags = {
    "twb:system"           = "online-trading"
    "twb:class"            = "core"
    "twb:confidentiality"  = "high"
    "twb:integrity"        = "high"
    "twb:availability"     = "high"
    "twb:legal-compliance" = "high"
    "twb:rto"              = "2h"
    "twb:data-class"       = "material-natural-person"
  }
}
