"""Reading an AWS WAFv2 web ACL: its rules, their statements and actions, and sensitive-data patterns.

The functions read a configuration as Checkov hands it to a Python check (attributes wrapped in
one-element lists) or as a stack rule sees it (``Resource.values``). In a Terraform plan an action
block lists every choice and leaves the ones not taken empty, so a choice counts only when its
block is there and not empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from brokerguard.policies.meta import Text
from brokerguard.policies.resource_conf import value
from brokerguard.policies.stack_rule import blocks

# Statements that hold other statements.
_NESTING = ("and_statement", "or_statement", "not_statement")
_WRAPPERS = ("rate_based_statement", "managed_rule_group_statement")

# Values a pattern must find to count as detecting sensitive data, and text it must not match
# (a pattern that matches anything detects nothing).
NATIONAL_ID_SAMPLES = ("A123456789", "F231987654", "id=Q198765432&")
CARD_SAMPLES = ("4111111111111111", "5500005555555559", "pan=4012888888881881;")
NOT_SENSITIVE = ("order=42&qty=1000&symbol=2330", "GET /quotes/2330 HTTP/1.1")
# Checkov decodes the escapes of an HCL string twice: "\\b" arrives as a backspace, "\\t" as a tab.
# No WAF pattern means a literal control character, so each is read back as the escape it came from.
_CONTROL_ESCAPES = str.maketrans({"\b": "\\b", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\f": "\\f",
                                  "\v": "\\v", "\a": "\\a"})


def chosen(block: Mapping[str, Any], choice: str) -> bool:
    """`choice {}` is set in an action block (present and not the plan's empty placeholder)."""
    return bool(blocks(block, choice))


def rules(conf: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return blocks(conf, "rule")


def statements(rule: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every statement of a rule, nested ones and scope-down statements included."""
    pending = list(blocks(rule, "statement"))
    while pending:
        stmt = pending.pop(0)
        yield stmt
        for key in _NESTING:
            for nested in blocks(stmt, key):
                pending.extend(blocks(nested, "statement"))
        for key in _WRAPPERS:
            for wrapper in blocks(stmt, key):
                pending.extend(blocks(wrapper, "scope_down_statement"))


def managed_group_name(rule: Mapping[str, Any]) -> str | None:
    """The managed rule group a rule runs (only a top-level statement can run one)."""
    for stmt in blocks(rule, "statement"):
        for group in blocks(stmt, "managed_rule_group_statement"):
            return str(value(group, "name"))
    return None


def overridden_to_count(rule: Mapping[str, Any]) -> bool:
    """A rule group rule whose matches are only counted (override_action count)."""
    return any(chosen(o, "count") for o in blocks(rule, "override_action"))


def action(rule: Mapping[str, Any]) -> str | None:
    """allow, block, count, captcha or challenge for a plain rule; None for a rule group rule."""
    for act in blocks(rule, "action"):
        for choice in ("block", "count", "allow", "captcha", "challenge"):
            if chosen(act, choice):
                return choice
    return None


def blocks_requests(conf: Mapping[str, Any]) -> bool:
    """The ACL stops something: its default action blocks, a rule blocks, or a rule group runs unmodified."""
    if any(chosen(d, "block") for d in blocks(conf, "default_action")):
        return True
    for rule in rules(conf):
        if action(rule) == "block":
            return True
        if managed_group_name(rule) and not overridden_to_count(rule):
            return True
    return False


def regex_strings(statements_: list[Mapping[str, Any]]) -> list[str]:
    """Inline regular expressions (regex_match_statement) of these statements."""
    return [str(value(m, "regex_string")) for s in statements_ for m in blocks(s, "regex_match_statement")]


def detects_sensitive_data(pattern: str) -> Text | None:
    """What a regular expression detects (national ID or card number) when tried on samples, or None.

    AWS WAF uses PCRE; a pattern Python cannot compile is not judged as detecting anything.
    """
    try:
        compiled = re.compile(pattern.translate(_CONTROL_ESCAPES))
    except re.error:
        return None
    if any(compiled.search(text) for text in NOT_SENSITIVE):
        return None
    if any(compiled.search(sample) for sample in NATIONAL_ID_SAMPLES):
        return Text("national ID numbers", "身分證字號")
    if any(compiled.search(sample) for sample in CARD_SAMPLES):
        return Text("card numbers", "卡號")
    return None
