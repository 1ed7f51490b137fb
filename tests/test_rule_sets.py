"""Rule sets by regulation version: the 2021 tier table beside the 2023-2024 guidelines, who a rule binds
(facts, 第一類 by either definition, fail closed on an undeclared fact), the stricter of two, and the new
controls (DDoS, trading-login MFA, customer-data location and encryption) passing and failing."""

from __future__ import annotations

import copy
import datetime as dt
import functools
from pathlib import Path

import pytest
import yaml

from brokerguard.catalog import CATALOG_PATH, RULE_SETS_DIR, available_rule_sets, load_catalog, parse_controls, parse_rule_set
from brokerguard.errors import InputError
from brokerguard.model import Status
from brokerguard.profile import Profile
from brokerguard.scan import scan
from conftest import EXAMPLES, REPO

BOTH = ("twse-tiers-2021", "twse-guidelines-2024")
G2024 = EXAMPLES / "guidelines-2024-compliant"
PROFILE = REPO / "iac_examples" / "profiles" / "guidelines-2024.yaml"
LATER = dt.date(2025, 6, 30)  # the MFA article is in force from 2024-12-27
ALL_FACTS = {"appoints_ciso": True, "online_ordering": True, "official_website": True,
             "external_facing_systems": True, "electronic_trading_login": True, "cloud_outsourcing": True}


@functools.cache
def _scan(path: Path, tier: int, facts: tuple, definitions: tuple = (), rule_sets: tuple = BOTH,
          as_of: dt.date = LATER, evidence: tuple = ()):
    profile = Profile(tier=tier, facts=dict(facts), definitions=dict(definitions), evidence=evidence)
    return {r.control.id: r for r in scan([path], profile, as_of, load_catalog(rule_sets)).results}


def judged(path: Path, tier: int = 1, facts: dict | None = None, **kw):
    return _scan(path, tier, tuple(sorted((ALL_FACTS if facts is None else facts).items())), **kw)


def failed(result) -> list[tuple[str, str]]:
    return [(j.finding.check_id, j.finding.resource) for j in result.findings if j.result == "failed"]


# --- rule sets as data --------------------------------------------------------------------------------

def _raw(name: str) -> dict:
    return yaml.safe_load((RULE_SETS_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


def _broken(name: str, mutate) -> str:
    data = copy.deepcopy(_raw(name))
    mutate(data)
    controls = parse_controls(yaml.safe_load(CATALOG_PATH.read_text(encoding="utf-8")), "catalog.yaml")
    with pytest.raises(InputError) as err:
        parse_rule_set(data, str(RULE_SETS_DIR / f"{name}.yaml"), controls)
    return str(err.value)


def test_rule_set_schema_rejects_typos_naming_the_entry() -> None:
    assert "unknown key 'tires'" in _broken("twse-tiers-2021", lambda d: d["requires"][10]["obligations"][0].update(tires=[1]))
    msg = _broken("twse-tiers-2021", lambda d: d["requires"][10]["obligations"][0].update(tiers=[1, 5]))
    assert "control 'waf'" in msg and "tiers" in msg
    assert "unknown fact 'online_orders'" in _broken(
        "twse-guidelines-2024", lambda d: d["requires"][1]["obligations"][0].update(any_fact=["online_orders"]))
    assert "unknown category" in _broken(
        "twse-guidelines-2024", lambda d: d["requires"][0]["obligations"][0].update(category="class-one"))
    assert "is not a control" in _broken("twse-guidelines-2024", lambda d: d["requires"][0].update(control="ids"))
    assert "needs title, article and date" in _broken(
        "twse-guidelines-2024", lambda d: d["requires"][0]["obligations"][0]["source"].pop("title"))
    assert "say whom it binds" in _broken(
        "twse-guidelines-2024", lambda d: d["requires"][0]["obligations"][0].pop("category"))
    assert "not a valid date" in _broken(
        "twse-tiers-2021", lambda d: d["requires"][0]["obligations"][0].update(in_force="2021-13-01"))
    assert "file's name" in _broken("twse-tiers-2021", lambda d: d.update(id="twse-tiers-2020"))


def test_a_future_rule_set_is_one_more_file(tmp_path: Path) -> None:
    for path in RULE_SETS_DIR.glob("*.yaml"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    future = _raw("twse-guidelines-2024")
    future["id"] = "twse-tiers-2025"
    (tmp_path / "twse-tiers-2025.yaml").write_text(yaml.safe_dump(future, allow_unicode=True), encoding="utf-8")
    found = available_rule_sets.__wrapped__(tmp_path)
    assert set(found) == {"twse-tiers-2021", "twse-guidelines-2024", "twse-tiers-2025"}
    assert [r.id for r in found.values() if r.default] == ["twse-tiers-2021"]


def test_the_2021_set_is_the_unchanged_default() -> None:
    catalog = load_catalog()
    assert [r.id for r in catalog.rule_sets] == ["twse-tiers-2021"]
    assert len(catalog.controls) == 18 and catalog.get("ddos-protection") is None
    assert catalog.get("waf").tiers == {1, 2} and catalog.get("waf").obligations[0].in_force == dt.date(2023, 1, 1)


# --- the command line: every control of both sets judged with its source ------------------------------

def test_both_rule_sets_judge_every_control_with_its_source(cli) -> None:
    run = cli("scan", G2024, "--profile", PROFILE, "--as-of", "2025-06-30", "--format", "json",
              "--rule-set", "twse-tiers-2021,twse-guidelines-2024")
    assert run.code == 0, run.err
    data = run.json
    assert [r["id"] for r in data["rule_sets"]] == list(BOTH)
    expected = {c for r in available_rule_sets().values() for c in r.requires}
    assert {c["id"] for c in data["controls"]} == expected and len(expected) == 22
    for c in data["controls"]:
        assert c["rule_sets"] and c["obligations"], c["id"]
        for o in c["obligations"]:
            assert o["source"]["title"]["zh-TW"] and o["source"]["title"]["en"] and o["source"]["article"]["en"]
            assert o["source"]["date"]
    waf = run.control("waf")
    assert waf["rule_sets"] == list(BOTH) and all(o["judged"] for o in waf["obligations"])
    assert data["provenance"]["rule_sets"][1]["id"] == "twse-guidelines-2024"


def test_the_command_line_wins_over_the_profile_and_unknown_sets_exit_2(cli) -> None:
    run = cli("scan", G2024, "--profile", PROFILE, "--as-of", "2025-06-30", "--format", "json",
              "--rule-set", "twse-tiers-2021")
    assert [r["id"] for r in run.json["rule_sets"]] == ["twse-tiers-2021"] and run.code == 0
    assert "ddos-protection" not in run.statuses()
    bad = cli("scan", G2024, "--tier", "1", "--rule-set", "twse-tiers-2021,twse-2024")
    assert bad.code == 2 and "unknown rule set 'twse-2024'" in bad.err and len(bad.err.strip().splitlines()) == 1


def test_reports_show_sources_beside_controls(cli, tmp_path: Path) -> None:
    run = cli("scan", EXAMPLES / "nonc-2024-mfa", "--profile", PROFILE, "--as-of", "2025-06-30",
              "--format", "cli,markdown,html,sarif", "--output-dir", tmp_path)
    assert run.code == 1
    terminal = (tmp_path / "report.txt").read_text(encoding="utf-8")
    assert "etrading-mfa" in terminal
    assert "Source: twse-guidelines-2024: Guideline on cybersecurity controls for emerging technologies" in terminal
    assert "Judged by rule sets: twse-tiers-2021, twse-guidelines-2024" in terminal
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "證券暨期貨市場各服務事業新興科技資通安全管控指引, 第35條 (2024-12-27)" in markdown
    assert "判定依據之規則集: `twse-tiers-2021`" in markdown
    assert "第35條" in (tmp_path / "report.html").read_text(encoding="utf-8")
    sarif = (tmp_path / "report.sarif").read_text(encoding="utf-8")
    assert "art. 35 (2024-12-27)" in sarif and "TWB_STACK_041" in sarif


def test_controls_lists_each_obligation_with_its_source(cli) -> None:
    run = cli("controls", "--tier", "4", "--rule-set", "twse-tiers-2021,twse-guidelines-2024", "--format", "json",
              "--as-of", "2025-06-30")
    rows = {r["id"]: r for r in run.json["controls"]}
    assert rows["waf"]["state"] == "required (fact undeclared)"
    assert [o["applies"] for o in rows["waf"]["obligations"]] == ["no", "assumed"]
    assert rows["apt-defense"]["state"] == "not required"


# --- who a rule binds ---------------------------------------------------------------------------------

def test_stricter_of_two_sets_applies_and_says_why() -> None:
    tier3 = judged(G2024, tier=3)["waf"]
    assert tier3.status is Status.PASS
    assert any("the stricter applies" in n and "art. 16-3" in n and "twse-tiers-2021 binds only tiers 1, 2" in n
               for n in tier3.notes), tier3.notes
    only_2021 = judged(G2024, tier=3, rule_sets=("twse-tiers-2021",))["waf"]
    assert only_2021.status is Status.NOT_APPLICABLE
    not_facing = judged(G2024, tier=3, facts={**ALL_FACTS, "external_facing_systems": False})["waf"]
    assert not_facing.status is Status.NOT_APPLICABLE


def test_stricter_evidence_age_of_two_sets() -> None:
    from brokerguard.profile import Evidence

    old = (Evidence("penetration-test", None, "pen test", dt.date(2024, 7, 1), None, None),)
    result = judged(G2024, evidence=old, as_of=dt.date(2025, 6, 30))["penetration-test"]
    assert result.status is Status.ATTESTED  # 364 days: within both sets' 366
    too_old = judged(G2024, evidence=old, as_of=dt.date(2025, 7, 3))["penetration-test"]
    assert too_old.status is Status.EVIDENCE_MISSING


@pytest.mark.parametrize(("tier", "ciso", "definition", "status"), [
    (3, False, None, Status.PASS),  # default reading: CISO firms or tiers 1-3
    (3, False, "ciso-only", Status.NOT_APPLICABLE),
    (4, True, "ciso-only", Status.PASS),
    (4, False, None, Status.NOT_APPLICABLE),
])
def test_first_class_by_either_definition(tier: int, ciso: bool, definition: str | None, status: Status) -> None:
    result = judged(G2024, tier=tier, facts={**ALL_FACTS, "appoints_ciso": ciso},
                    definitions=(("first-class", definition),) if definition else ())["ids-ips"]
    assert result.status is status, result.notes


def test_a_profile_that_declares_nothing_fails_closed() -> None:
    results = judged(EXAMPLES / "tier4-compliant", tier=4, facts={})
    # IDS/IPS for 第一類 at tier 4 depends on appoints_ciso: judged as applying, and failing without an IPS
    ids = results["ids-ips"]
    assert ids.status.failing and any("facts.appoints_ciso" in n and "fail closed" in n for n in ids.notes)
    ddos = results["ddos-protection"]
    assert ddos.status is Status.EVIDENCE_MISSING
    assert any("facts.online_ordering, facts.official_website" in n for n in ddos.notes)
    assert all(r.status is not Status.NOT_APPLICABLE for c, r in results.items()
               if c in ("waf", "etrading-mfa", "customer-data-location", "customer-data-encryption"))


def test_a_profile_with_unknown_facts_or_definitions_exits_2(cli, tmp_path: Path) -> None:
    for body, problem in (("facts: {online_ordring: true}", "unknown key 'online_ordring'"),
                          ("facts: {online_ordering: yes-please}", "expected true or false"),
                          ("category_definitions: {first-class: tiers-only}", "not a definition of first-class"),
                          ("rule_sets: [twse-2099]", "unknown rule set 'twse-2099'")):
        profile = tmp_path / "p.yaml"
        profile.write_text(f"tier: 1\n{body}\n", encoding="utf-8")
        run = cli("scan", G2024, "--profile", profile)
        assert run.code == 2 and problem in run.err and str(profile) in run.err, run.err


# --- the new controls, pass and fail ------------------------------------------------------------------

def test_the_2024_stack_passes_both_sets_and_each_variant_fails_its_control() -> None:
    from brokerguard.profile import load_profile

    evidence = load_profile(PROFILE, load_catalog()).evidence
    assert {c: r.status for c, r in judged(G2024, evidence=evidence).items() if r.status.failing} == {}
    variants = {"nonc-2024-ddos": ("ddos-protection", Status.EVIDENCE_MISSING, ("TWB_STACK_040", "aws_lb.web")),
                "nonc-2024-mfa": ("etrading-mfa", Status.FAIL, ("TWB_STACK_041", "aws_cognito_user_pool.customers")),
                "nonc-2024-kms": ("customer-data-encryption", Status.FAIL, ("TWB_STACK_043", "aws_db_instance.ledger")),
                "nonc-2024-data-location": ("customer-data-location", Status.FAIL,
                                            ("TWB_STACK_042", "aws_db_instance.ledger"))}
    for variant, (control, status, finding) in variants.items():
        results = judged(EXAMPLES / variant, evidence=evidence)
        assert {c for c, r in results.items() if r.status.failing} == {control}, variant
        assert results[control].status is status and finding in failed(results[control]), variant


def test_ddos_uncovered_entry_point_is_never_a_pass_and_evidence_attests() -> None:
    from brokerguard.profile import Evidence

    scrubbing = (Evidence("ddos-protection", None, "Chief Telecom scrubbing contract", dt.date(2025, 1, 1), None, None),)
    assert judged(EXAMPLES / "nonc-2024-ddos", evidence=scrubbing)["ddos-protection"].status is Status.ATTESTED
    # No public entry point at all: evidence decides, never a pass.
    assert judged(EXAMPLES / "nonc-public-core-db")["ddos-protection"].status is Status.EVIDENCE_MISSING


def _tf(tmp_path: Path, body: str, region: str = '"ap-east-2"') -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "main.tf").write_text(f'provider "aws" {{\n  region = {region}\n}}\n{body}', encoding="utf-8")
    return tmp_path


CLOUDFRONT = '''
resource "aws_wafv2_web_acl" "edge" {
  name  = "edge"
  scope = "CLOUDFRONT"
  default_action {
    allow {}
  }
  rule {
    name     = "flood"
    priority = 1
    action {
      %s {}
    }
    statement {
      rate_based_statement {
        limit              = 2000
        aggregate_key_type = "IP"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "flood"
      sampled_requests_enabled   = true
    }
  }
  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "edge"
    sampled_requests_enabled   = true
  }
}

resource "aws_cloudfront_distribution" "site" {
  enabled    = true
  web_acl_id = aws_wafv2_web_acl.edge.arn
}
'''


@pytest.mark.parametrize(("act", "status"), [("block", Status.PASS), ("count", Status.EVIDENCE_MISSING)])
def test_cloudfront_with_a_blocking_rate_based_rule_counts_as_ddos_protection(tmp_path: Path, act: str,
                                                                             status: Status) -> None:
    result = judged(_tf(tmp_path, CLOUDFRONT % act))["ddos-protection"]
    assert result.status is status
    if act == "count":
        assert "the rate-based rule only counts" in result.findings[0].finding.message


POOL = '''
resource "aws_cognito_user_pool" "app" {
  name              = "trading-app"
  mfa_configuration = "%s"
}
'''


def test_trading_pools_are_declared_by_tag_or_profile_and_another_idp_is_evidence(tmp_path: Path) -> None:
    from brokerguard.policies import resource_conf

    path = _tf(tmp_path, POOL % "OPTIONAL")
    # Not declared as a trading login: another identity provider may run it, evidence decides.
    assert judged(path)["etrading-mfa"].status is Status.EVIDENCE_MISSING
    profile = Profile(tier=1, facts=ALL_FACTS, settings={"trading_user_pools": ["trading-app"]})
    out = {r.control.id: r for r in scan([path], profile, LATER, load_catalog(BOTH)).results}
    assert out["etrading-mfa"].status is Status.FAIL
    assert "mfa_configuration is OPTIONAL" in out["etrading-mfa"].findings[0].finding.message
    assert resource_conf.DEFAULT_TAG_KEYS["trading_login"] == "twb:trading-login"


STORE = '''
resource "aws_kms_key" "k" {
  enable_key_rotation = true
}
resource "aws_dynamodb_table" "accounts" {
  name         = "accounts"
  hash_key     = "id"
  billing_mode = "PAY_PER_REQUEST"
  attribute {
    name = "id"
    type = "S"
  }
  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.k.arn
  }
  %s
  tags = {
    "twb:data-class" = "%s"
  }
}
'''


@pytest.mark.parametrize(("replica", "data_class", "location", "encryption"), [
    ("", "material-natural-person", Status.PASS, Status.PASS),
    ('replica {\n    region_name = "ap-northeast-1"\n  }', "material-natural-person", Status.FAIL, Status.PASS),
    ('replica {\n    region_name = "ap-northeast-1"\n  }', "other", Status.PASS, Status.PASS),
    ("", "customer", Status.FAIL, Status.FAIL),  # not a declared data class: unclassified
])
def test_customer_data_location_and_encryption(tmp_path: Path, replica: str, data_class: str, location: Status,
                                               encryption: Status) -> None:
    results = judged(_tf(tmp_path, STORE % (replica, data_class)))
    assert results["customer-data-location"].status is location
    assert results["customer-data-encryption"].status is encryption
    if data_class == "customer":
        assert "unclassified" in results["customer-data-location"].findings[0].finding.message


def test_an_unknown_region_cannot_pass_and_an_exception_is_evidence(tmp_path: Path) -> None:
    from brokerguard.profile import Evidence

    unknown = judged(_tf(tmp_path / "a", STORE % ("", "material-natural-person"), region="var.region"))
    location = unknown["customer-data-location"]
    assert location.status is Status.FAIL and "cannot tell the region" in location.findings[0].finding.message
    exception = (Evidence("customer-data-location", None, "FSC-approved DR copy in Tokyo", dt.date(2025, 1, 1),
                          None, None),)
    tokyo = judged(EXAMPLES / "nonc-2024-data-location", evidence=exception)["customer-data-location"]
    assert tokyo.status is Status.ATTESTED
    # An unclassified store is not an exception evidence can excuse.
    unclassified = judged(_tf(tmp_path / "b", STORE % ("", "customer")), evidence=exception)
    assert unclassified["customer-data-location"].status is Status.FAIL


# --- the same judgements from real `terraform show -json` plans ---------------------------------------

PLANS = REPO / "tests" / "fixtures" / "terraform_plan"


@pytest.mark.parametrize(("plan", "control", "status", "resource"), [
    ("guidelines-2024-compliant", None, None, None),
    ("nonc-2024-ddos", "ddos-protection", Status.EVIDENCE_MISSING, "aws_lb.web"),
    ("nonc-2024-mfa", "etrading-mfa", Status.FAIL, "aws_cognito_user_pool.customers"),
    ("nonc-2024-kms", "customer-data-encryption", Status.FAIL, "aws_db_instance.ledger"),
])
def test_new_controls_from_terraform_plans(plan: str, control: str | None, status: Status | None,
                                           resource: str | None) -> None:
    from brokerguard.profile import load_profile

    evidence = load_profile(PROFILE, load_catalog()).evidence
    results = judged(PLANS / f"{plan}.plan.json", evidence=evidence)
    failing = {c: r.status for c, r in results.items() if r.status.failing}
    assert failing == ({} if control is None else {control: status})
    if resource:
        assert resource in [res for _, res in failed(results[control])]
    else:  # the region of each store comes from the plan's provider_config
        location = results["customer-data-location"]
        assert [j.finding.message for j in location.findings] == ["1 place(s) in ap-east-2"]


# --- the same judgements from Pulumi programs (run under mocks) ---------------------------------------

@pytest.mark.parametrize("example", ["guidelines-2024-compliant", "nonc-2024-mfa"])
def test_pulumi_twins_match_the_terraform_examples_under_both_sets(example: str) -> None:
    from brokerguard.profile import load_profile

    evidence = load_profile(PROFILE, load_catalog()).evidence
    tf = judged(EXAMPLES / example, evidence=evidence)
    pu = judged(REPO / "iac_examples" / "pulumi" / example, evidence=evidence)
    assert {c: r.status for c, r in pu.items()} == {c: r.status for c, r in tf.items()}
    for control in ("ddos-protection", "etrading-mfa", "customer-data-location", "customer-data-encryption"):
        assert ({(j.finding.check_id, j.finding.resource, j.result) for j in pu[control].findings}
                == {(j.finding.check_id, j.finding.resource, j.result) for j in tf[control].findings}), control


def test_a_module_store_is_placed_by_the_provider_its_module_call_passes(tmp_path: Path) -> None:
    """A module call may pass an aliased provider: the store inside is where that provider is, not the default."""
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "main.tf").write_text(STORE % ("", "material-natural-person"), encoding="utf-8")
    body = ('provider "aws" {\n  alias  = "tokyo"\n  region = "ap-northeast-1"\n}\n'
            'module "accounts" {\n  source    = "./store"\n  providers = { aws = aws.tokyo }\n}\n')
    location = judged(_tf(tmp_path, body))["customer-data-location"]
    assert location.status is Status.FAIL
    assert [j.finding.message for j in location.findings] == [
        "outside ap-east-2: module.accounts.aws_dynamodb_table.accounts in ap-northeast-1"]
