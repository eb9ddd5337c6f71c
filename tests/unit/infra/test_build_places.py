"""infra/build_places.py: the committed gazetteer is what the pinned packages give."""

from __future__ import annotations

import build_places

from pierre_rag.knowledge.gazetteer import TABLE_PATH


def test_the_committed_table_is_what_the_pinned_packages_give() -> None:
    # a package bump or an edit by hand shows here: run make places
    assert TABLE_PATH.read_text("utf-8") == build_places.table_text()


def test_departement_numbers_are_written_as_on_a_letter() -> None:
    assert build_places.department_number("FR-32") == "32"
    assert build_places.department_number("FR-75C") == "75"
    assert build_places.department_number("FR-2A") == "2A"
    assert build_places.department_number("FR-971") == "971"
    assert build_places.department_number("FR-OCC") is None
    assert build_places.department_number("FR-6AE") is None


def test_a_departement_lies_in_its_region_and_an_overseas_one_is_its_own() -> None:
    by_number = {d.number: d for d in build_places.departments()}

    assert by_number["32"].region == "Occitanie"
    assert by_number["67"].region == "Grand-Est"  # through the Collectivité européenne d'Alsace
    assert by_number["69"].name == "Rhône"
    assert by_number["972"].region == "Martinique"
