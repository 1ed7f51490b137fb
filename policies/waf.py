"""Reading an AWS WAFv2 web ACL: its rules, their statements and actions, and sensitive-data patterns.

The functions read a configuration as Checkov hands it to a Python check (attributes wrapped in
one-element lists) or as a stack rule sees it (``Resource.values``). In a Terraform plan an action
block lists every choice and leaves the ones not taken empty, so a choice counts only when its
block is there and not empty.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from brokerguard import schema
from brokerguard.policies.meta import OK, Text
from brokerguard.policies.reachability import covers_internet
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


# The statements that run a rule group: AWS's managed groups by name, the account's own by ARN.
GROUP_STATEMENTS = ("managed_rule_group_statement", "rule_group_reference_statement")
# Rules of AWS managed groups (default version), from AWS's documentation: the file says where from.
MANAGED_RULES_PATH = Path(__file__).resolve().parent / "waf_managed_rule_groups.yaml"


@functools.lru_cache(maxsize=1)
def _managed_rules() -> dict[str, frozenset[str]]:
    data = schema.load_yaml(MANAGED_RULES_PATH)
    return {str(name): frozenset(map(str, rules_)) for name, rules_ in data["groups"].items()}


def managed_group_rules(group: Mapping[str, Any]) -> frozenset[str] | None:
    """The rules an AWS managed group statement runs, or None when brokerguard does not know them (another
    vendor, a group not in the data file, a pinned version)."""
    if str(value(group, "vendor_name")) != "AWS" or value(group, "version") not in (None, ""):
        return None
    return _managed_rules().get(str(value(group, "name")))


def group_statement(rule: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]] | None:
    """(kind, statement) of the rule group a web ACL rule runs, if it runs one."""
    for stmt in blocks(rule, "statement"):
        for kind in GROUP_STATEMENTS:
            for group in blocks(stmt, kind):
                return kind, group
    return None


def counted_rules(group: Mapping[str, Any]) -> set[str]:
    """Rules of a group statement whose matches no longer stop a request: overridden to count or allow
    (rule_action_override), or excluded (excluded_rule, which counts)."""
    out = {str(value(e, "name")) for e in blocks(group, "excluded_rule")}
    for override in blocks(group, "rule_action_override"):
        if any(chosen(a, "count") or chosen(a, "allow") for a in blocks(override, "action_to_use")):
            out.add(str(value(override, "name")))
    return out


def counts_everything(rule: Mapping[str, Any], group_rules: frozenset[str] | None) -> bool | None:
    """Whether a rule group rule stops no request: override_action count, or every rule of the group
    counted. None: some rules are counted and the group's rules are not known, so it cannot be told."""
    if overridden_to_count(rule):
        return True
    found = group_statement(rule)
    counted = counted_rules(found[1]) if found else set()
    if not counted:
        return False
    if group_rules is None:
        return None
    return group_rules <= counted


def action(rule: Mapping[str, Any]) -> str | None:
    """allow, block, count, captcha or challenge for a plain rule; None for a rule group rule."""
    for act in blocks(rule, "action"):
        for choice in ("block", "count", "allow", "captcha", "challenge"):
            if chosen(act, choice):
                return choice
    return None


def stops_floods(conf: Mapping[str, Any]) -> tuple[bool, Text]:
    """A rate-based rule stops (block, CAPTCHA or challenge) clients over the limit; else why not."""
    rate_rules = [r for r in rules(conf) if any(blocks(s, "rate_based_statement") for s in blocks(r, "statement"))]
    if any(action(r) in ("block", "captcha", "challenge") for r in rate_rules):
        return True, OK
    if rate_rules:
        return False, Text("the rate-based rule only counts", "速率規則僅計數")
    return False, Text("no rule has a rate_based_statement", "沒有規則含 rate_based_statement")


def blocks_requests(conf: Mapping[str, Any]) -> bool:
    """The ACL stops something: its default action blocks, a rule blocks, or a rule group runs unmodified."""
    if any(chosen(d, "block") for d in blocks(conf, "default_action")):
        return True
    for rule in rules(conf):
        if action(rule) == "block":
            return True
        group = group_statement(rule)
        if group and group[0] == "managed_rule_group_statement" and \
                counts_everything(rule, managed_group_rules(group[1])) is False:
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


def priority(rule: Mapping[str, Any]) -> int:
    try:
        return int(value(rule, "priority", 0))
    except (TypeError, ValueError):
        return 0


def matches_everything(stmt: Mapping[str, Any], ip_set_cidrs: Callable[[Any], list[str] | None]) -> bool:
    """A statement every request matches: a size of at least 0 bytes, or an IP set covering the internet."""
    for size in blocks(stmt, "size_constraint_statement"):
        op, n = str(value(size, "comparison_operator")).upper(), value(size, "size")
        if isinstance(n, (int, float)) and ((op == "GE" and n <= 0) or (op == "GT" and n < 0)):
            return True
    for ref in blocks(stmt, "ip_set_reference_statement"):
        cidrs = ip_set_cidrs(value(ref, "arn"))
        if cidrs is not None and covers_internet(cidrs):
            return True
    return False


def matches_nothing(stmt: Mapping[str, Any], ip_set_cidrs: Callable[[Any], list[str] | None]) -> bool:
    """A statement no request matches: a size below 0 bytes, an IP set with no address, or an and_statement
    with such a part."""
    if any(matches_nothing(part, ip_set_cidrs) for a in blocks(stmt, "and_statement") for part in blocks(a, "statement")):
        return True
    for size in blocks(stmt, "size_constraint_statement"):
        op, n = str(value(size, "comparison_operator")).upper(), value(size, "size")
        if isinstance(n, (int, float)) and ((op == "LT" and n <= 0) or (op == "LE" and n < 0)):
            return True
    for ref in blocks(stmt, "ip_set_reference_statement"):
        if ip_set_cidrs(value(ref, "arn")) == []:
            return True
    return False


def scope_down(rule: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The scope-down statement of the managed group a rule runs."""
    return [sd for stmt in blocks(rule, "statement") for group in blocks(stmt, "managed_rule_group_statement")
            for sd in blocks(group, "scope_down_statement")]
