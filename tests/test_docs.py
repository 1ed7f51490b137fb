"""docs/checks.md is generated from the checks and the catalog; a stale page fails the build."""

from brokerguard import docgen, registry
from brokerguard.catalog import load_catalog


def test_checks_page_is_up_to_date() -> None:
    assert docgen.main(["--check"]) == 0, "run `python -m brokerguard.docgen` and commit docs/checks.md"


def test_checks_page_lists_every_check_with_its_texts_in_both_languages() -> None:
    page = docgen.render()
    policies = registry.load()
    catalog = load_catalog()
    for pid in catalog.check_ids | catalog.stack_rule_ids:
        section = page.split(f"### {pid}\n", 1)[1].split("\n### ", 1)[0]
        meta = policies[pid].meta
        for text in (meta.name, meta.description, meta.fix):
            assert str(text) in section and text.zh in section, pid
        assert f"severity {meta.severity}" in section


def test_controls_page_lists_every_control_with_tiers_dates_and_checks() -> None:
    page = docgen.render_catalog()
    assert page == docgen.CONTROLS_DOC.read_text(encoding="utf-8"), "run `python -m brokerguard.docgen`"
    checks_page = docgen.render()
    for control in load_catalog().controls:
        section = page.split(f"\n## {control.id}\n", 1)[1].split("\n## ", 1)[0]
        assert control.name["zh-TW"] in section and control.name["en"] in section and control.cc in section
        for o in control.obligations:
            assert f"Obligation `{o.id}`: tiers {', '.join(map(str, sorted(o.tiers)))}, in force from {o.in_force}" in section
        for pid in control.checks + control.stack_rules:
            assert f"[{pid}](checks.md#{pid.lower()})" in section and f"### {pid}\n" in checks_page


def test_a_changed_catalog_makes_the_page_stale(monkeypatch) -> None:
    import dataclasses

    catalog = load_catalog()
    renamed = dataclasses.replace(catalog.controls[0], name={"zh-TW": "改名", "en": "Renamed"})
    monkeypatch.setattr(docgen, "load_catalog", lambda: dataclasses.replace(catalog, controls=(renamed, *catalog.controls[1:])))
    assert docgen.main(["--check"]) == 1
