"""Malware protection: an endpoint protection agent on every instance of the trading system (SSM
Distributor package), and GuardDuty scanning of every customer upload."""

import pulumi_aws as aws


def build_antivirus() -> None:
    aws.ssm.Association(
        "endpoint_agent", name="AWS-ConfigureAWSPackage",
        parameters={"action": "Install", "name": "ExampleEndpointProtectionAgent"},
        targets=[aws.ssm.AssociationTargetArgs(key="tag:twb:system", values=["online-trading"])],
        schedule_expression="rate(1 day)")
    # Customers upload account-opening documents from the browser.
    uploads = aws.s3.Bucket("uploads", bucket="example-securities-customer-uploads",
                            tags={"twb:system": "account-opening", "twb:class": "non-core",
                                  "twb:confidentiality": "high"})
    aws.s3.BucketCorsConfiguration("uploads", bucket=uploads.id, cors_rules=[
        aws.s3.BucketCorsConfigurationCorsRuleArgs(allowed_methods=["PUT"],
                                                   allowed_origins=["https://www.example-securities.com.tw"],
                                                   allowed_headers=["*"])])
    aws.guardduty.MalwareProtectionPlan(
        "uploads", role="arn:aws:iam::123456789012:role/guardduty-malware-protection",
        protected_resource=aws.guardduty.MalwareProtectionPlanProtectedResourceArgs(
            s3_bucket=aws.guardduty.MalwareProtectionPlanProtectedResourceS3BucketArgs(bucket_name=uploads.id)),
        actions=[aws.guardduty.MalwareProtectionPlanActionArgs(
            taggings=[aws.guardduty.MalwareProtectionPlanActionTaggingArgs(status="ENABLED")])])
