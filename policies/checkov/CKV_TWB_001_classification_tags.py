from checkov.common.models.enums import CheckResult

from brokerguard.policies.checkov_check import ResourceCheck
from brokerguard.policies.resource_conf import classification_problems, effective_tags


class ClassificationTags(ResourceCheck):
    def scan_resource_conf(self, conf: dict) -> CheckResult:
        problems = classification_problems(effective_tags(conf))
        self.details.extend(problems)
        return CheckResult.FAILED if problems else CheckResult.PASSED


check = ClassificationTags()
