from brokerguard.policies.meta import HIGH, Meta, Text
from brokerguard.policies.stack_rule import StackRule

from brokerguard.model import Finding, Stack


class CloudTrailPresent(StackRule):
    meta = Meta(
        name=Text("A CloudTrail trail records the account's activity", "CloudTrail 追蹤記錄帳號的活動"),
        description=Text(
            "CC-17010 threat detection (event collection): the stack records API activity in a CloudTrail trail "
            "(CKV_TWB_032 judges each trail). An organisation trail kept by the management account is declared as "
            "evidence.",
            "CC-17010 威脅偵測（事件收集）：堆疊以 CloudTrail 追蹤記錄 API 活動（各追蹤由 CKV_TWB_032 判定）。由管理帳號"
            "維護的組織追蹤以佐證資料宣告。"),
        fix=Text("Declare an aws_cloudtrail with is_multi_region_trail and enable_log_file_validation, or declare the "
                 "organisation trail as evidence.",
                 "宣告設定 is_multi_region_trail 與 enable_log_file_validation 的 aws_cloudtrail，或以佐證資料宣告組織追蹤。"),
        severity=HIGH,
        types=("aws_cloudtrail",),
        attributes=frozenset(),
        attestable=True,
    )

    def evaluate(self, stack: Stack) -> list[Finding]:
        trails = stack.of_type("aws_cloudtrail")
        if not trails:
            return [self.finding(None, False, Text("the stack declares no aws_cloudtrail", "堆疊未宣告 aws_cloudtrail"))]
        return [self.finding(t, True) for t in trails]  # how each records is CKV_TWB_032's to judge


rule = CloudTrailPresent()
