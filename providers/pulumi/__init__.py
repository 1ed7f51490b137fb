"""Pulumi sources (programs under mocks, stack exports, previews) in Terraform's plan JSON shape."""

from brokerguard.providers.pulumi.program import DEFAULT_TIMEOUT
from brokerguard.providers.pulumi.source import from_stack, is_document, is_program, open_program, read_document

__all__ = ["DEFAULT_TIMEOUT", "from_stack", "is_document", "is_program", "open_program", "read_document"]
