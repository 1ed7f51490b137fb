# Non-compliant (customer-data encryption): the ledger's customer-managed key never rotates.
resource "aws_kms_key" "customer_data" {
  description         = "Customer data of the online-trading system"
  enable_key_rotation = false
}
