"""The bad-input corpus: whatever cannot be read ends the run with exit 2 and one line naming the
file and the problem; no traceback, no partial report, never a silent pass (the JSON report asked
for says the scan could not be judged and why).

Text cases live in tests/fixtures/bad_input/; large, binary and symlink cases are made in tmp_path.
"""

from __future__ import annotations

import json
import os
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, FIXTURES, REPO

CORPUS = FIXTURES / "bad_input"
COMPLIANT = EXAMPLES / "tier4-compliant"
PREVIOUS_REPORT = "the report of the previous run\n"


def assert_refused(run, output: Path, names: str | Path, *expected: str) -> None:
    """Exit 2, one line naming the file and the problem, and the old report left as it was."""
    assert run.code == 2, (run.code, run.err, run.out[-500:])
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    assert "Traceback" not in run.err and run.out == ""
    assert lines[0].startswith("brokerguard: error: ")
    assert str(names) in lines[0], lines[0]
    for text in expected:
        assert text in lines[0], lines[0]
    # The report asked for now says why the scan could not be judged: never last run's, never a pass.
    # A usage error (argparse) stops before any report is known: the old file is left as it was.
    message = lines[0].removeprefix("brokerguard: error: ")
    text = output.read_text()
    if message.startswith("argument "):
        assert text == PREVIOUS_REPORT
    elif text.startswith("{"):
        report = json.loads(text)
        assert report["error"] == message
        assert report["summary"] == {"passed": False, "exit_code": 2} and report["controls"] == []
    else:
        assert text.splitlines()[0].startswith("NOT JUDGED: ") and text.splitlines()[1] == message, text
    assert sorted(p.name for p in output.parent.iterdir()) == [output.name]  # no temporary left behind


@pytest.fixture
def output(tmp_path: Path) -> Path:
    out = tmp_path / "report" / "bg.json"
    out.parent.mkdir()
    out.write_text(PREVIOUS_REPORT)
    return out


# ---- Terraform trees in the corpus: HCL the parser rejects -------------------------------------

HCL_CASES = {
    "unclosed-block": ("main.tf:11:", "cannot parse Terraform"),
    "missing-equals": ("main.tf:3:", "cannot parse Terraform"),
    "unterminated-string": ("main.tf", "unclosed quote"),
    "bad-interpolation": ("main.tf:2:", "cannot parse Terraform"),
    "stray-token-in-module": ("modules/net/main.tf:4:", "cannot parse Terraform"),
}


@pytest.mark.parametrize("case", sorted(HCL_CASES))
def test_hcl_syntax_errors(cli, output: Path, case: str) -> None:
    where, problem = HCL_CASES[case]
    run = cli("scan", CORPUS / "terraform" / case, "--tier", "1", "--format", "json", "--output", output)
    assert_refused(run, output, f"{case}/{where}", problem, "terraform fmt")


# ---- Terraform trees made on the spot: bytes, sizes and links ----------------------------------

def _tree(tmp_path: Path) -> Path:
    """A readable copy of a compliant stack, to which each case adds one bad thing."""
    tree = tmp_path / "infra"
    tree.mkdir()
    (tree / "main.tf").write_text((COMPLIANT / "main.tf").read_text())
    return tree


def _binary(tree: Path) -> tuple[Path, str]:
    bad = tree / "logo.tf"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    return bad, "binary content (NUL bytes)"


def _big5(tree: Path) -> tuple[Path, str]:
    # A comment saved in Big5 by an editor set to the Traditional Chinese code page.
    bad = tree / "network.tf"
    bad.write_bytes('# 核心系統網路\nresource "aws_vpc" "core" {\n  cidr_block = "10.0.0.0/16"\n}\n'.encode("big5"))
    return bad, "network.tf:1: not UTF-8 text"


def _utf16(tree: Path) -> tuple[Path, str]:
    bad = tree / "vars.tf"
    bad.write_bytes('variable "env" {\n  default = "prod"\n}\n'.encode("utf-16"))
    return bad, "UTF-16 text"


def _huge(tree: Path) -> tuple[Path, str]:
    bad = tree / "generated.tf"
    with bad.open("wb") as fh:  # sparse: 200 MB on paper, nothing on disk
        fh.truncate(200 * 1000 * 1000)
    return bad, "200,000,000 bytes is over the 10,485,760-byte limit"


def _dir_loop(tree: Path) -> tuple[Path, str]:
    (tree / "modules").mkdir()
    link = tree / "modules" / "parent"
    link.symlink_to("..")
    return link, "symlink loop"


def _file_loop(tree: Path) -> tuple[Path, str]:
    link = tree / "self.tf"
    link.symlink_to("self.tf")
    return link, "cannot read"


def _dangling(tree: Path) -> tuple[Path, str]:
    link = tree / "shared.tf"
    link.symlink_to(tree / "does-not-exist.tf")
    return link, "cannot read (No such file or directory)"


def _tf_json(tree: Path) -> tuple[Path, str]:
    bad = tree / "cdktf.tf.json"
    bad.write_text('{"resource": {"aws_instance": {"x": {"ami": "a"')  # truncated, and Checkov would skip it
    return bad, "Terraform JSON configuration (.tf.json) is not read"


def _linked_dir(tree: Path) -> tuple[Path, str]:
    shared = tree.parent / "shared"
    shared.mkdir()
    (shared / "bucket.tf").write_text('resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n')
    link = tree / "shared"
    link.symlink_to(shared)
    return link, "a symlinked directory, which Checkov does not follow"


TREE_CASES: dict[str, Callable[[Path], tuple[Path, str]]] = {
    "binary": _binary, "big5": _big5, "utf16": _utf16, "200MB": _huge, "symlink-dir-loop": _dir_loop,
    "symlink-file-loop": _file_loop, "dangling-symlink": _dangling, "tf-json": _tf_json,
    "symlinked-dir": _linked_dir,
}


@pytest.mark.parametrize("case", sorted(TREE_CASES))
def test_unreadable_files_in_a_tree(cli, tmp_path: Path, output: Path, case: str) -> None:
    tree = _tree(tmp_path)
    bad, problem = TREE_CASES[case](tree)
    run = cli("scan", tree, "--tier", "1", "--output", output)
    assert_refused(run, output, bad, problem)


def test_a_200mb_file_is_refused_by_its_size_before_it_is_read(cli, tmp_path: Path, output: Path) -> None:
    """Refused from its size: reading it would allocate 200 MB, the refusal allocates next to nothing."""
    tree = _tree(tmp_path)
    bad, problem = _huge(tree)
    tracemalloc.start()
    try:
        run = cli("scan", tree, "--tier", "1", "--output", output)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert_refused(run, output, bad, problem)
    assert peak < 20 * 1024 * 1024, f"{peak:,} bytes allocated to refuse the file"


def test_a_huge_profile_is_refused_by_its_size(cli, tmp_path: Path, output: Path) -> None:
    profile = tmp_path / "profile.yaml"
    with profile.open("wb") as fh:
        fh.write(b"tier: 1\n")
        fh.truncate(200 * 1000 * 1000)
    tracemalloc.start()
    try:
        run = cli("scan", COMPLIANT, "--profile", profile, "--output", output)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert_refused(run, output, profile, "over the 1,048,576-byte limit")
    assert peak < 20 * 1024 * 1024


# ---- JSON sources in the corpus: plans, Pulumi exports and previews ----------------------------

JSON_CASES = {
    "truncated.plan.json": ":1: not valid JSON (Unterminated string",
    "empty.json": ":1: not valid JSON (Expecting value, column 1)",
    "unknown-format-version.plan.json": "Terraform plan format_version '2.0' is not supported",
    "format-version-number.plan.json": "Terraform plan format_version 1.2 is not supported",
    "planned-values-a-list.plan.json": "a Terraform plan needs planned_values",
    "resources-not-a-list.plan.json": "planned_values.root_module: resources and child_modules must be lists",
    "resource-without-name.plan.json": "planned_values.root_module.resources[0]: a resource needs address, type and name",
    "array.json": "neither a Terraform plan",
    "other-json.json": "neither a Terraform plan",
    "export-unknown-version.json": "Pulumi deployment version 9 is not supported",
    "export-resources-not-a-list.json": "deployment.resources must be a list",
    "export-resource-without-urn.json": "deployment.resources[0]: a resource needs a urn and a type",
    "preview-step-without-op.json": "steps[0] needs an op",
    "preview-steps-not-a-list.json": "neither a Terraform plan",
}


def test_every_json_file_in_the_corpus_has_a_case() -> None:
    assert sorted(p.name for p in (CORPUS / "json").iterdir()) == sorted(JSON_CASES)


@pytest.mark.parametrize("case", sorted(JSON_CASES))
def test_broken_json_sources(cli, output: Path, case: str) -> None:
    source = CORPUS / "json" / case
    run = cli("scan", source, "--tier", "1", "--format", "json", "--output", output)
    assert_refused(run, output, source, JSON_CASES[case])


def _json_huge(path: Path) -> str:
    with path.open("wb") as fh:
        fh.write(b'{"format_version": "1.2", "planned_values": {')
        fh.truncate(200 * 1000 * 1000)
    return "200,000,000 bytes is over the 104,857,600-byte limit"


def _json_binary(path: Path) -> str:
    path.write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)))  # a gzip'd plan saved under the wrong name
    return "not UTF-8 text"


def _json_big5(path: Path) -> str:
    path.write_bytes('{"format_version": "1.2", "planned_values": {"root_module": {}}, "description": "核心"}'
                     .encode("big5"))
    return "not UTF-8 text"


def _json_deep(path: Path) -> str:
    path.write_text('{"format_version": "1.2", "planned_values": ' + "[" * 200_000 + "]" * 200_000 + "}")
    return "JSON nested too deeply"


JSON_FILE_CASES: dict[str, Callable[[Path], str]] = {
    "200MB": _json_huge, "binary": _json_binary, "big5": _json_big5, "deeply-nested": _json_deep,
}


@pytest.mark.parametrize("case", sorted(JSON_FILE_CASES))
def test_unreadable_json_files(cli, tmp_path: Path, output: Path, case: str) -> None:
    source = tmp_path / "plan.json"
    problem = JSON_FILE_CASES[case](source)
    tracemalloc.start()
    try:
        run = cli("scan", source, "--tier", "1", "--output", output)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert_refused(run, output, source, problem)
    if case == "200MB":
        assert peak < 20 * 1024 * 1024, f"{peak:,} bytes allocated to refuse the file"


# ---- Broken profiles in the corpus --------------------------------------------------------------

PROFILE_CASES = {
    "tier-wrong-type.yaml": "tier must be 1, 2, 3 or 4, got [1]",
    "tag-keys-wrong-type.yaml": "tag_keys: expected a mapping, got list",
    "evidence-not-a-list.yaml": "evidence: expected a list, got dict",
    "setting-wrong-type.yaml": "backup_retention_days: expected a non-negative whole number, got '7'",
    "unknown-key.yaml": "unknown key 'tiers'",
    "unknown-waiver-key.yaml": "waivers[0]: unknown key 'expires'",
    "negative-capital.yaml": "capital must be a non-negative amount in NT$, got -15000000000",
    "tier-0.yaml": "tier must be 1, 2, 3 or 4, got 0",
    "tier-5.yaml": "tier must be 1, 2, 3 or 4, got 5",
    "date-2023-02-30.yaml": ":5: invalid YAML ('2023-02-30' is not a valid date",
    "quoted-date-2023-02-30.yaml": "waivers[0].expiry: '2023-02-30' is not a valid date",
    "python-object-tag.yaml": ":1: invalid YAML (could not determine a constructor for the tag "
                              "'tag:yaml.org,2002:python/object/apply:os.system')",
    "python-object-root.yaml": "python/object/new:builtins.dict",
    "duplicate-key.yaml": ":3: invalid YAML (duplicate key 'tier')",
    "not-a-mapping.yaml": "expected a mapping, got list",
    "unterminated-quote.yaml": "invalid YAML",
    "empty.yaml": "expected a mapping, got NoneType",
}


def test_every_profile_in_the_corpus_has_a_case() -> None:
    assert sorted(p.name for p in (CORPUS / "profiles").iterdir()) == sorted(PROFILE_CASES)


@pytest.mark.parametrize("case", sorted(PROFILE_CASES))
def test_broken_profiles(cli, output: Path, case: str) -> None:
    profile = CORPUS / "profiles" / case
    run = cli("scan", COMPLIANT, "--profile", profile, "--format", "json", "--output", output)
    assert_refused(run, output, profile, PROFILE_CASES[case])


def test_python_object_tag_is_never_executed(cli, tmp_path: Path, output: Path) -> None:
    marker = tmp_path / "ran"
    profile = tmp_path / "profile.yaml"
    profile.write_text(f"tier: !!python/object/apply:os.system ['touch {marker}']\n")
    run = cli("scan", COMPLIANT, "--profile", profile, "--output", output)
    assert_refused(run, output, profile, "could not determine a constructor")
    assert not marker.exists()


@pytest.mark.parametrize("encoding", ["big5", "utf-16"])
def test_profile_not_utf8(cli, tmp_path: Path, output: Path, encoding: str) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_bytes("name: 範例證券\ntier: 1\n".encode(encoding))
    run = cli("scan", COMPLIANT, "--profile", profile, "--output", output)
    assert_refused(run, output, profile, "not UTF-8 text")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_profile(cli, tmp_path: Path, output: Path) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_text("tier: 1\n")
    profile.chmod(0)
    run = cli("scan", COMPLIANT, "--profile", profile, "--output", output)
    assert_refused(run, output, profile, "cannot read")


# ---- The same values given on the command line ---------------------------------------------------

ARGUMENT_CASES = {
    "tier 0": (("--tier", "0"), "--tier: tier must be 1, 2, 3 or 4, got '0'"),
    "tier 5": (("--tier", "5"), "--tier: tier must be 1, 2, 3 or 4, got '5'"),
    "negative capital": (("--capital", "-1"), "capital must be a non-negative amount"),
    "date 2023-02-30": (("--tier", "1", "--as-of", "2023-02-30"), "'2023-02-30' is not a valid date"),
    "timeout 0": (("--tier", "1", "--timeout", "0"), "'0' is not a number of seconds between 0 and 86400"),
    "timeout nan": (("--tier", "1", "--timeout", "nan"), "'nan' is not a number of seconds between 0 and 86400"),
}


@pytest.mark.parametrize("case", sorted(ARGUMENT_CASES))
def test_bad_arguments(cli, output: Path, case: str) -> None:
    args, problem = ARGUMENT_CASES[case]
    run = cli("scan", COMPLIANT, *args, "--output", output)
    assert_refused(run, output, args[-2], problem)


# ---- Not an input error: an expired waiver is a failure ----------------------------------------

def test_an_expired_waiver_fails_the_control_with_exit_1(cli, tmp_path: Path) -> None:
    profile = tmp_path / "profile.yaml"
    base = yaml.safe_load((REPO / "iac_examples" / "profiles" / "tier1.yaml").read_text())
    base["waivers"] = [{"target": "CKV2_TWB_001", "resources": "aws_lb.web", "reason": "WAF rollout",
                        "approver": "CISO Lin", "expiry": "2024-03-31"}]
    profile.write_text(yaml.safe_dump(base, allow_unicode=True))
    out = tmp_path / "bg.json"
    run = cli("scan", EXAMPLES / "nonc-alb-without-waf", "--profile", profile, "--as-of", "2024-06-30",
              "--format", "json", "--output", out)
    assert run.code == 1 and run.err == ""
    report = json.loads(out.read_text())
    waf = next(c for c in report["controls"] if c["id"] == "waf")
    assert waf["status"] == "fail"
    assert [(f["check_id"], f["resource"]) for f in waf["findings"] if f["result"] == "failed"] == [
        ("CKV2_TWB_001", "aws_lb.web")]
    assert any("expired on 2024-03-31" in n for n in waf["notes"])


# ---- YAML aliases: bounded expansion, merge keys ---------------------------------------------

def _laughs(levels: int) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\ntier: 1\n"


@pytest.mark.parametrize("where", ["profile", "stack settings"])
def test_billion_laughs_is_refused_at_once(cli, tmp_path: Path, output: Path, where: str) -> None:
    bomb = _laughs(9)
    assert len(bomb.encode()) < 700  # 9^9 strings once expanded
    if where == "profile":
        target = tmp_path / "profile.yaml"
        target.write_text(bomb)
        args = (COMPLIANT, "--profile", target)
    else:
        program = tmp_path / "prog"
        program.mkdir()
        (program / "Pulumi.yaml").write_text("name: prog\nruntime: python\n")
        (program / "__main__.py").write_text("import pulumi\n")
        target = program / "Pulumi.dev.yaml"
        target.write_text("config:\n  x: 1\n" + bomb.replace("tier: 1\n", ""))
        args = (program, "--tier", "1")
    tracemalloc.start()
    run = cli("scan", *args, "--format", "json", "--output", output)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert_refused(run, output, target, "invalid YAML (aliases expand to more than 100,000 nodes")
    assert peak < 200 * 1024 * 1024


def test_yaml_merge_keys_are_read_and_own_keys_still_count_once(cli, tmp_path: Path, output: Path) -> None:
    profile = tmp_path / "profile.yaml"
    waiver = ("waivers:\n"
              "  - &base {target: CKV_TWB_003, resources: '*', reason: 'migration', approver: CISO Lin, expiry: 2099-12-31}\n"
              "  - <<: *base\n    target: CKV_TWB_002\n")
    profile.write_text("tier: 1\n" + waiver)
    run = cli("scan", EXAMPLES / "nonc-public-core-db", "--profile", profile, "--format", "json")
    assert run.code == 1, run.err
    assert [(w["target"], w["approver"], w["expiry"]) for w in run.json["waivers"]] == [
        ("CKV_TWB_002", "CISO Lin", "2099-12-31"), ("CKV_TWB_003", "CISO Lin", "2099-12-31")]
    profile.write_text("tier: 1\n" + waiver + "    target: CKV_TWB_001\n")
    run = cli("scan", EXAMPLES / "nonc-public-core-db", "--profile", profile, "--format", "json", "--output", output)
    assert_refused(run, output, f"{profile}:", "duplicate key 'target'")


def test_yaml_nested_too_deeply_is_one_line(cli, tmp_path: Path, output: Path) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_text("tier: " + "[" * 20000 + "]" * 20000 + "\n")
    run = cli("scan", COMPLIANT, "--profile", profile, "--format", "json", "--output", output)
    assert_refused(run, output, profile, "invalid YAML (nested too deeply)")
