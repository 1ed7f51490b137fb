"""Load the stack-level rules from policies/stack_rules/ and run them on a stack."""

from __future__ import annotations

import functools
import importlib
import pkgutil

from brokerguard.catalog import STACK_RULE_ID
from brokerguard.model import Finding, Stack
from brokerguard.policies import stack_rules as rules_package
from brokerguard.policies.stack_rule import StackRule


@functools.cache
def load_rules() -> dict[str, StackRule]:
    rules = {}
    for info in pkgutil.iter_modules(rules_package.__path__):
        module = importlib.import_module(f"{rules_package.__name__}.{info.name}")
        rule = getattr(module, "rule", None)
        if not isinstance(rule, StackRule) or not STACK_RULE_ID.match(rule.id) or not info.name.startswith(rule.id):
            raise RuntimeError(f"{module.__file__}: a stack rule file must define `rule`, whose id starts its file name")
        rules[rule.id] = rule
    return rules


def run_rules(stack: Stack, rule_ids: set[str]) -> list[Finding]:
    rules = load_rules()
    return [f for rid in sorted(rule_ids) for f in rules[rid].evaluate(stack)]
