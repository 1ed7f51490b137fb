"""The base of brokerguard's Python checks: a Checkov resource check whose metadata is read from the
``.metadata.yaml`` beside it.

A check file is one class with ``scan_resource_conf``, and ``check = TheClass()`` at the end
(instantiating registers it in Checkov's resource registry). Its id comes from its file name.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from brokerguard.policies.meta import Text, guideline, own_id, own_meta


class ResourceCheck(BaseResourceCheck):
    def __init__(self) -> None:
        self.meta = own_meta(self)
        if not self.meta.types:
            raise ValueError(f"{type(self).__name__}: a resource check names the resource types it reads")
        pid = own_id(self)
        super().__init__(name=str(self.meta.name), id=pid, categories=[CheckCategories.GENERAL_SECURITY],
                         supported_resources=list(self.meta.types), guideline=guideline(pid))

    def problem(self, en: str, zh: str) -> None:
        """Say why the resource fails, in both languages (Checkov carries it as a detail)."""
        self.details.append(Text(en, zh))
