"""Threat detection: GuardDuty with runtime monitoring, Security Hub with a standard, a multi-region
CloudTrail trail with log file validation, and flow logs of the trading VPC."""

import pulumi
import pulumi_aws as aws


def build_detection(vpc: aws.ec2.Vpc) -> None:
    detector = aws.guardduty.Detector("main", enable=True)
    aws.guardduty.DetectorFeature(
        "runtime", detector_id=detector.id, name="RUNTIME_MONITORING", status="ENABLED",
        additional_configurations=[aws.guardduty.DetectorFeatureAdditionalConfigurationArgs(
            name="EC2_AGENT_MANAGEMENT", status="ENABLED")])
    hub = aws.securityhub.Account("main")
    aws.securityhub.StandardsSubscription(
        "foundational",
        standards_arn="arn:aws:securityhub:ap-northeast-1::standards/aws-foundational-security-best-practices/v/1.0.0",
        opts=pulumi.ResourceOptions(depends_on=[hub]))
    aws.cloudtrail.Trail("main", name="organization-activity", s3_bucket_name="example-securities-log-archive",
                         is_multi_region_trail=True, enable_log_file_validation=True)
    aws.ec2.FlowLog("trading", vpc_id=vpc.id, traffic_type="ALL", log_destination_type="s3",
                    log_destination="arn:aws:s3:::example-securities-log-archive/flow-logs/")
