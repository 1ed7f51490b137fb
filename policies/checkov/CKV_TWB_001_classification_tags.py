from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from brokerguard.policies.resource_conf import CLASSIFIED_TYPES, classification_problems, effective_tags


class ClassificationTags(BaseResourceCheck):
    """CC-14000: every information system is classified core / non-core with C, I, A and legal levels."""

    control = "system-classification"
    fix = (
        "Tag the resource (or the aws provider's default_tags) with the system name, twb:class core"
        ' or non-core, and high/medium/low for confidentiality, integrity, availability and legal '
        'compliance.'
    )

    def __init__(self) -> None:
        super().__init__(
            name="Compute and data resources carry the information-system classification tags",
            id="CKV_TWB_001",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=CLASSIFIED_TYPES,
            guideline="docs/checks.md#ckv_twb_001",
        )

    def scan_resource_conf(self, conf: dict) -> CheckResult:
        problems = classification_problems(effective_tags(conf))
        self.details.extend(problems)
        return CheckResult.FAILED if problems else CheckResult.PASSED


check = ClassificationTags()
