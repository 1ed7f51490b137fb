"""Run the stack-level rules of policies/stack_rules/ (found by the registry) on a stack."""

from __future__ import annotations

from brokerguard import registry
from brokerguard.model import Finding, Stack


def run_rules(stack: Stack, rule_ids: set[str]) -> list[Finding]:
    rules = registry.load().rules
    return [f for rid in sorted(rule_ids) for f in rules[rid].evaluate(stack)]
