"""docs/checks.md is generated from the checks and the catalog; a stale page fails the build."""

from brokerguard import docgen
from brokerguard.catalog import load_catalog


def test_checks_page_is_up_to_date() -> None:
    assert docgen.main(["--check"]) == 0, "run `python -m brokerguard.docgen` and commit docs/checks.md"


def test_checks_page_lists_every_check_with_its_control_and_fix() -> None:
    page = docgen.render()
    docs = {d.id: d for d in docgen.collect()}
    catalog = load_catalog()
    for pid in catalog.check_ids | catalog.stack_rule_ids:
        assert f"### {pid}\n" in page
        if pid in docs:
            assert docs[pid].control == catalog.control_of(pid).id
            assert docs[pid].fix, f"{pid} has no `fix` text"
