"""Customer data under cloud outsourcing: the customer-managed key of the ledger, which rotates."""

import pulumi_aws as aws


def build_customer_data_key() -> aws.kms.Key:
    return aws.kms.Key("customer_data", description="Customer data of the online-trading system",
                       enable_key_rotation=True)
