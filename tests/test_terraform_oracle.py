"""The directory scan against Terraform itself: for every mutant of the tier-1 example
(tests/fixtures/terraform_mutants/mutants.py), the verdict on the HCL tree equals, control by control,
the verdict on the real plan of the same tree (plans/, made by the terraform CLI offline with
regenerate.py), or the HCL scan says why it cannot judge (the control fails naming the unknown) or
refuses the tree (exit 2). A control the HCL scan passes while the plan fails it is a silent pass;
one it fails, without saying it cannot judge, while the plan passes it is a false alarm: neither is
allowed. Tests never run terraform."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from brokerguard.catalog import load_catalog
from brokerguard.errors import InputError
from brokerguard.profile import load_profile
from brokerguard.providers.terraform_variables import terraform_variables
from brokerguard.scan import ScanResult, scan
from conftest import FIXTURES, REPO

CORPUS = FIXTURES / "terraform_mutants"
sys.path.insert(0, str(CORPUS))
import mutants  # noqa: E402

PLANS = CORPUS / "plans"
AS_OF = dt.date(2024, 6, 30)
CANNOT_JUDGE = "cannot judge"
# How far a status is from holding: a directory verdict nearer than the plan's missed a failure.
RANK = {"pass": 0, "attested": 0, "waived": 0, "not_applicable": 0, "not_in_force": 0, "evidence_missing": 1,
        "fail": 2, "error": 2}
# Compliant variants written with for_each, modules, dynamic blocks and variable files: the plan
# passes every infrastructure control, and so must the directory scan (no "cannot judge" either).
MUST_PASS = {
    "wafv2_web_acl_association-web-for-each-one", "wafv2_web_acl_association-web-count-default-true",
    "wafv2_web_acl_association-web-count-var-file-true", "wafv2_web_acl_association-web-count-tfvars-then-auto",
    "waf-association-in-module", "waf-association-in-module-count-1", "two-module-calls-both-private",
    "installed-module-private", "optional-set-private", "legacy-dir-holds-public-db",
    "dynamic-waf-rules", "dynamic-waf-rules-in-module", "dynamic-firewall-logging", "dynamic-firewall-logging-upper-keys",
    "dynamic-ingress-for-filter-private",
    "dynamic-ingress-flatten-private", "dynamic-ingress-in-module-private",
    "override-db-private", "override-lexical-later-wins-private", "optional-nested-default-private",
    "optional-var-file-private", "public-db-module-count-0", "public-db-module-count-var-default-0",
    "public-db-module-for-each-empty-map", "optional-module-default-private", "optional-module-argument-empty-private",
    "db-private-module-output", "waf-count-string-true",
}


# Terraform leaves a module call's for_each written without references (`toset([])`) out of the plan
# JSON, and brokerguard refuses a plan whose unconditional-looking call holds nothing
# (test_terraform_plan.py): the oracle gets back the empty for_each its tree has.
PLAN_LACKS_FOR_EACH = {"waf-association-in-module-for-each-empty": "edge"}


def _with_for_each(plan: Path, call: str, tmp: Path) -> Path:
    doc = json.loads(plan.read_text())
    doc["configuration"]["root_module"]["module_calls"][call]["for_each_expression"] = {"constant_value": {}}
    out = tmp / plan.name
    out.write_text(json.dumps(doc))
    return out


@dataclass(frozen=True)
class Verdict:
    status: str
    failing: frozenset[str]  # check ids with a failing finding that is a judgement
    unsure: frozenset[str]  # check ids with a failing finding that says it cannot judge

    @property
    def cannot_judge(self) -> bool:
        return bool(self.unsure)


def _judge(path: Path, **kwargs: object) -> ScanResult:
    catalog = load_catalog()
    profile = load_profile(REPO / "iac_examples" / "profiles" / "tier1.yaml", catalog)
    return scan([path], profile, AS_OF, catalog, **kwargs)


def _verdicts(result: ScanResult) -> dict[str, Verdict]:
    out = {}
    for r in result.results:
        failing = [j.finding for j in r.findings if not j.finding.passed]
        unsure = frozenset(f.check_id for f in failing if CANNOT_JUDGE in f.message)
        out[r.control.id] = Verdict(r.status.value, frozenset(f.check_id for f in failing) - unsure, unsure)
    return out


def _hcl(mutant: mutants.Mutant, tmp: Path) -> ScanResult | InputError:
    tree = mutants.write(mutant, tmp)
    files = [tree / v for flag, v in zip(mutant.args[::2], mutant.args[1::2], strict=True) if flag == "--var-file"]
    values = [v for flag, v in zip(mutant.args[::2], mutant.args[1::2], strict=True) if flag == "--var"]
    saved = {k: os.environ.get(k) for k in mutant.env}
    os.environ.update(mutant.env)  # TF_VAR_*: this worker process only, restored below
    try:
        return _judge(tree, variables=terraform_variables(files, values))
    except InputError as exc:
        return exc
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def classify(index: int) -> tuple[str, str, str]:
    """(mutant, outcome, detail): agree, cannot-judge, refused, or a silent-pass / false-alarm."""
    mutant = mutants.MUTANTS[index]
    with tempfile.TemporaryDirectory() as tmp:
        hcl = _hcl(mutant, Path(tmp))
        plan = PLANS / f"{mutant.name}.plan.json"
        if not plan.exists():
            # Terraform cannot plan it offline: the directory scan must stop, naming the module call.
            error = (PLANS / f"{mutant.name}.error.txt").read_text().strip()
            if isinstance(hcl, InputError) and mutant.refusal in str(hcl) and tmp in str(hcl):
                return mutant.name, "refused", hcl.one_line().replace(tmp, "")
            return mutant.name, "silent-pass", f"terraform: {error}; directory scan: {hcl}"
        if isinstance(hcl, InputError):
            bad = mutant.name in MUST_PASS or tmp not in str(hcl)
            return mutant.name, "false-alarm" if bad else "refused", hcl.one_line().replace(tmp, "")
        if mutant.name in PLAN_LACKS_FOR_EACH:
            plan = _with_for_each(plan, PLAN_LACKS_FOR_EACH[mutant.name], Path(tmp))
        oracle, found = _verdicts(_judge(plan)), _verdicts(hcl)
        outcome, details = "agree", []
        for control, want in oracle.items():
            got = found[control]
            missed = RANK[got.status] < RANK[want.status] or bool(want.failing - got.failing - got.unsure)
            alarmed = RANK[got.status] > RANK[want.status] or bool(got.failing - want.failing - want.unsure)
            if missed and not got.cannot_judge:
                return mutant.name, "silent-pass", f"{control}: plan {want}, directory {got}"
            if alarmed and not got.cannot_judge and not want.cannot_judge:  # the plan could not judge it either
                return mutant.name, "false-alarm", f"{control}: plan {want}, directory {got}"
            if missed or alarmed:
                outcome = "cannot-judge"
                details.append(control)
        # A compliant variant: nothing the plan judges may be left to "cannot judge" by the directory scan.
        if mutant.name in MUST_PASS and any(v.unsure - oracle[c].unsure for c, v in found.items()):
            return mutant.name, "false-alarm", f"a compliant variant the scan cannot judge: {found}"
        return mutant.name, outcome, ", ".join(details)


def test_the_corpus_is_large_and_every_mutant_has_its_oracle() -> None:
    names = [m.name for m in mutants.MUTANTS]
    assert len(names) >= 100 and len(set(names)) == len(names)
    for name in names:
        assert (PLANS / f"{name}.plan.json").is_file() != (PLANS / f"{name}.error.txt").is_file(), name
    stored = {p.name.removesuffix(".plan.json").removesuffix(".error.txt") for p in PLANS.iterdir()}
    assert stored == set(names), stored ^ set(names)
    assert {m.name for m in mutants.MUTANTS if not m.plannable} == {
        n for n in names if (PLANS / f"{n}.error.txt").is_file()}


def test_directory_verdicts_equal_plan_verdicts_on_every_mutant(capsys: pytest.CaptureFixture[str]) -> None:
    # Two worker processes: the corpus is a few hundred scans.
    with multiprocessing.get_context("fork").Pool(max(2, min(4, os.cpu_count() or 2))) as pool:
        outcomes = pool.map(classify, range(len(mutants.MUTANTS)), chunksize=4)
    counts = Counter(kind for _, kind, _ in outcomes)
    with capsys.disabled():
        print(f"\noracle: {len(outcomes)} mutants, " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
        for name, kind, detail in outcomes:
            if kind != "agree":
                print(f"  {kind:13} {name}: {detail[:300]}")
    bad = [o for o in outcomes if o[1] in ("silent-pass", "false-alarm")]
    assert not bad, bad
