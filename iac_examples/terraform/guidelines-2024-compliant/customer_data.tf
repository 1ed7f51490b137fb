# Customer data under cloud outsourcing (證券商作業委託他人處理應注意事項, 2023-08-31): the ledger
# (app.tf) holds material natural-person customer data; it is encrypted with this customer-managed
# key, which rotates, and it has no replica or backup copy outside Taiwan.
resource "aws_kms_key" "customer_data" {
  description         = "Customer data of the online-trading system"
  enable_key_rotation = true
}
