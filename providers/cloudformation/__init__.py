"""CloudFormation templates and CDK cloud assemblies, translated to Terraform's plan JSON shape."""

from brokerguard.providers.cloudformation.source import (
    is_assembly,
    open_assembly,
    open_directory,
    open_template,
    read_parameters,
    templates_in,
)
from brokerguard.providers.cloudformation.template import is_template

__all__ = ["is_assembly", "is_template", "open_assembly", "open_directory", "open_template", "read_parameters", "templates_in"]
