"""The CrossGuard pack as Pulumi runs it: pulumi_policy's own analyzer servicer, driven with the protobuf
requests the Pulumi CLI sends over gRPC (Configure, GetAnalyzerInfo, AnalyzeStack), built from a real
stack export. Nothing of the SDK is stubbed but the gRPC server PolicyPack would start."""

from __future__ import annotations

import copy
import json
import runpy
from pathlib import Path
from typing import Any

import pytest
import yaml
from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy.policy import _PolicyAnalyzerServicer
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE

from conftest import REPO

PACK = REPO / "policies" / "pulumi"
EXPORT = REPO / "iac_examples" / "pulumi" / "tier4-compliant.export.json"
PROFILE = REPO / "iac_examples" / "profiles" / "tier4.yaml"
SECRET_SIG = "4dabf18193072939515e22adb298388d"
DB = "urn:pulumi:dev::tier4-compliant::aws:rds/instance:Instance::orders"


@pytest.fixture(scope="module")
def pack() -> dict[str, Any]:
    """What policies/pulumi/__main__.py hands PolicyPack (whose constructor would serve gRPC forever)."""
    import pulumi_policy

    packs: list[dict] = []
    real = pulumi_policy.PolicyPack
    pulumi_policy.PolicyPack = lambda **kw: packs.append(kw)
    try:
        runpy.run_path(str(PACK / "__main__.py"), run_name="__main__")
    finally:
        pulumi_policy.PolicyPack = real
    return packs[0]


def servicer(pack: dict, config: dict[str, Any]) -> _PolicyAnalyzerServicer:
    s = _PolicyAnalyzerServicer(pack["name"], "0.0.1", pack["policies"], pack["enforcement_level"])
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for p in pack["policies"]:  # the CLI sends --policy-pack-config per policy name, its level resolved
        request.policyConfig[p.name].properties.update(config)
        request.policyConfig[p.name].enforcementLevel = analyzer_pb2.MANDATORY
    s.Configure(request, None)
    return s


def _struct(values: dict) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(values)
    return out


def _plaintext(value: Any) -> Any:
    """The CLI sends analyzers plaintext, not the export's ciphertext."""
    if isinstance(value, dict):
        return "(secret)" if SECRET_SIG in value else {k: _plaintext(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plaintext(v) for v in value]
    return value


def stack_request(resources: list[dict]) -> analyzer_pb2.AnalyzeStackRequest:
    """AnalyzeStackRequest as the engine builds it from a snapshot: every resource, its outputs, its provider."""
    by_ref = {f"{r['urn']}::{r.get('id', '')}": r for r in resources if r["type"].startswith("pulumi:providers:")}
    request = analyzer_pb2.AnalyzeStackRequest()
    for r in resources:
        props = {k: v for k, v in _plaintext(r.get("outputs") or r.get("inputs") or {}).items() if k != "__defaults"}
        item = request.resources.add(type=r["type"], urn=r["urn"], name=r["urn"].split("::")[-1],
                                     properties=_struct(props), parent=r.get("parent", ""),
                                     dependencies=r.get("dependencies", []))
        for key, urns in (r.get("propertyDependencies") or {}).items():
            item.propertyDependencies[key].urns.extend(urns)
        provider = by_ref.get(r.get("provider", ""))
        if provider is not None:
            item.provider.CopyFrom(analyzer_pb2.AnalyzerProviderResource(
                type=provider["type"], urn=provider["urn"], name=provider["urn"].split("::")[-1],
                properties=_struct(_plaintext(provider.get("outputs") or {}))))
    return request


def export(**db_changes: Any) -> list[dict]:
    resources = copy.deepcopy(json.loads(EXPORT.read_text())["deployment"]["resources"])
    db = next(r for r in resources if r["urn"] == DB)
    for part in ("inputs", "outputs"):
        db[part].update(db_changes)
    return resources


def analyze(pack: dict, resources: list[dict], **config: Any) -> list[analyzer_pb2.AnalyzeDiagnostic]:
    return list(servicer(pack, {"asOf": "2024-06-30", **config}).AnalyzeStack(stack_request(resources), None).diagnostics)


def test_public_core_database_is_a_mandatory_violation_naming_it(pack: dict) -> None:
    found = analyze(pack, export(publiclyAccessible=True), profile=str(PROFILE))
    firewall = [d for d in found if d.policyName == "brokerguard-firewall"]
    assert firewall and all(d.enforcementLevel == analyzer_pb2.MANDATORY for d in found)
    ckv = [d for d in firewall if "CKV_TWB_003" in d.message]
    assert len(ckv) == 1 and "aws_db_instance.orders" in ckv[0].message and ckv[0].urn == DB
    assert "How to fix: Set publicly_accessible = false" in ckv[0].message
    assert ckv[0].severity == analyzer_pb2.POLICY_SEVERITY_CRITICAL  # the firewall's most severe check
    assert {d.policyName for d in found} == {"brokerguard-firewall"}


def test_the_pack_agrees_with_the_scanner_on_the_compliant_export(pack: dict, cli) -> None:
    assert cli("scan", EXPORT, "--profile", PROFILE, "--as-of", "2024-06-30").code == 0
    assert analyze(pack, export(), profile=str(PROFILE)) == []


def test_a_tier4_stack_judged_as_tier1_violates_what_tier1_needs(pack: dict) -> None:
    found = analyze(pack, export(), tier=1)
    # WAF, threat detection (hence APT defence), a resilient core; the central firewall has no evidence.
    assert {d.policyName for d in found} == {f"brokerguard-{c}" for c in
                                             ("waf", "firewall", "threat-detection", "apt-defense", "bcp-drill")}
    assert all(d.urn == "" or d.urn.startswith("urn:pulumi:") for d in found)


def test_the_profile_comes_through_the_config_path_or_inline(pack: dict) -> None:
    # Without the profile, tier 4 has no evidence of its central firewall: the stack rule fails.
    bare = analyze(pack, export(), tier=4)
    assert {d.policyName for d in bare} == {"brokerguard-firewall"}
    inline = yaml.safe_load(PROFILE.read_text())
    assert analyze(pack, export(), profileInline=json.loads(json.dumps(inline, default=str))) == []
    # A waiver in the inline profile is honoured as the scanner honours it. A public database is exposed
    # on its own (CKV_TWB_003) and as a public endpoint on the internet path (TWB_STACK_001): the waiver
    # names the control for that resource.
    inline["waivers"] = [{"target": "firewall", "resources": "aws_db_instance.orders", "reason": "migration",
                          "approver": "CISO", "expiry": "2024-12-31"}]
    assert analyze(pack, export(publiclyAccessible=True), profileInline=json.loads(json.dumps(inline, default=str))) == []
    inline["waivers"][0]["target"] = "CKV_TWB_003"  # one check waived: the exposure on the path still violates
    left = analyze(pack, export(publiclyAccessible=True), profileInline=json.loads(json.dumps(inline, default=str)))
    assert {d.policyName for d in left} == {"brokerguard-firewall"}
    assert "urn:pulumi:dev::tier4-compliant::aws:rds/instance:Instance::orders" in {d.urn for d in left}


def test_evidence_controls_gate_only_when_asked(pack: dict) -> None:
    strict = analyze(pack, export(), tier=1, gate="all")
    assert "brokerguard-isms" in {d.policyName for d in strict}
    assert "brokerguard-isms" not in {d.policyName for d in analyze(pack, export(), tier=1)}


def test_an_unknown_value_makes_the_check_cannot_judge_and_mandatory(pack: dict) -> None:
    # During a preview the SDK hands this value as its unknown-boolean sentinel; reading it through the
    # proxy raises UnknownValueError, which the SDK would turn into an ADVISORY note.
    found = analyze(pack, export(publiclyAccessible=UNKNOWN_BOOLEAN_VALUE), profile=str(PROFILE))
    assert found and all(d.enforcementLevel == analyzer_pb2.MANDATORY for d in found)
    assert not any("can't run policy" in d.message for d in found)
    db = [d for d in found if d.urn == DB and "CKV_TWB_003" in d.message]
    assert db and "cannot judge" in db[0].message and "publicly_accessible" in db[0].message


def test_a_broken_profile_fails_every_policy_mandatory(pack: dict, tmp_path: Path) -> None:
    bad = tmp_path / "profile.yaml"
    bad.write_text("tier: 9\n")
    found = analyze(pack, export(), profile=str(bad))
    assert {d.policyName for d in found} == {p.name for p in pack["policies"]}
    assert all(d.enforcementLevel == analyzer_pb2.MANDATORY and "cannot judge" in d.message for d in found)


def test_analyzer_info_one_policy_per_control_with_framework_and_remediation(pack: dict) -> None:
    from brokerguard.catalog import load_catalog

    info = servicer(pack, {"tier": 1}).GetAnalyzerInfo(None, None)
    controls = load_catalog().controls
    assert [p.name for p in info.policies] == [f"brokerguard-{c.id}" for c in controls]
    for p, c in zip(info.policies, controls, strict=True):
        assert p.enforcementLevel == analyzer_pb2.MANDATORY and p.policy_type == analyzer_pb2.POLICY_TYPE_STACK
        assert p.framework.reference == c.cc and "證券商資通安全分級防護" in p.framework.name
        assert p.remediation_steps
        assert set(p.configSchema.properties) == {"tier", "asOf", "profile", "profileInline", "gate"}
    firewall = next(p for p in info.policies if p.name == "brokerguard-firewall")
    assert firewall.severity == analyzer_pb2.POLICY_SEVERITY_CRITICAL
    isms = next(p for p in info.policies if p.name == "brokerguard-isms")
    assert isms.severity == analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED  # evidence only: no check declares one
    assert "CKV_TWB_003: Set publicly_accessible = false" in firewall.remediation_steps


def test_pack_config_example_names_every_policy() -> None:
    from brokerguard.catalog import load_catalog

    config = json.loads((PACK / "config.example.json").read_text())
    assert set(config) == {f"brokerguard-{c.id}" for c in load_catalog().controls}


def test_requirements_install_brokerguard_from_a_local_path_not_an_index_name() -> None:
    lines = [line.strip() for line in (PACK / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines == ["../..[pulumi]"]
    root = (PACK / lines[0].split("[")[0]).resolve()
    assert root == REPO and 'name = "brokerguard"' in (root / "pyproject.toml").read_text()

