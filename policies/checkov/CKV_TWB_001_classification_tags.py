from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.meta import MEDIUM, Meta, Text
from brokerguard.policies.resource_conf import CLASSIFIED_TYPES, classification_problems, effective_tags
from checkov.common.models.enums import CheckResult


class ClassificationTags(ResourceCheck):
    meta = Meta(
        name=Text("Compute and data resources carry the information-system classification tags",
                  "運算與資料資源標示資訊系統分級標籤"),
        description=Text(
            "CC-14000: every information system is classified core / non-core with confidentiality, integrity, "
            "availability and legal-compliance levels.",
            "CC-14000：每個資訊系統皆分級為核心或非核心，並評定機密性、完整性、可用性及法律遵循性等級。"),
        fix=Text(
            "Tag the resource (or the aws provider's default_tags) with the system name, twb:class core or non-core, "
            "and high/medium/low for confidentiality, integrity, availability and legal compliance.",
            "在資源（或 aws provider 的 default_tags）加上系統名稱、twb:class（core 或 non-core），以及機密性、完整性、"
            "可用性與法律遵循性的 high/medium/low 標籤。"),
        severity=MEDIUM,
        types=CLASSIFIED_TYPES,
        attributes={"tags", "tags_all", "tag"},
    )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        problems = classification_problems(effective_tags(conf))
        self.details.extend(problems)
        return CheckResult.FAILED if problems else CheckResult.PASSED


check = ClassificationTags()
