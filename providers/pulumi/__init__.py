"""Pulumi sources (programs under mocks, stack exports, previews) in Terraform's plan JSON shape."""

from brokerguard.providers.pulumi.source import PulumiSource, cannot_judge, detect, open_pulumi

__all__ = ["PulumiSource", "cannot_judge", "detect", "open_pulumi"]
