from brokerguard.policies.detection import enabled_detectors
from brokerguard.policies.meta import HIGH, Meta, Text
from brokerguard.policies.stack_rule import StackRule

from brokerguard.model import Finding, Stack


class GuardDutyEnabled(StackRule):
    meta = Meta(
        name=Text("GuardDuty is enabled", "GuardDuty 已啟用"),
        description=Text(
            "CC-17010 threat detection (anomaly analysis, attack detection): the stack runs an enabled GuardDuty "
            "detector. GuardDuty enabled for the whole organisation from a delegated administrator account is declared "
            "as evidence.",
            "CC-17010 威脅偵測（異常分析、攻擊偵測）：堆疊執行已啟用的 GuardDuty 偵測器。由委派管理員帳號為整個組織"
            "啟用的 GuardDuty 以佐證資料宣告。"),
        fix=Text("Declare an aws_guardduty_detector (enable = true), or declare the organisation-wide GuardDuty as "
                 "evidence.",
                 "宣告 aws_guardduty_detector（enable = true），或以佐證資料宣告全組織的 GuardDuty。"),
        severity=HIGH,
        types=("aws_guardduty_detector",),
        attributes={"enable"},
        attestable=True,
    )

    def evaluate(self, stack: Stack) -> list[Finding]:
        detectors = enabled_detectors(stack)
        if not detectors:
            return [self.finding(None, False, Text("the stack declares no enabled aws_guardduty_detector",
                                                   "堆疊未宣告任何已啟用的 aws_guardduty_detector"))]
        return [self.finding(d, True) for d in detectors]


rule = GuardDutyEnabled()
