"""Places in a question → département and région names for BM25 (knowledge.places)."""

from __future__ import annotations

import pytest

from pierre_rag.knowledge.gazetteer import Department, Gazetteer, parse_table, render_table
from pierre_rag.knowledge.places import PlaceExpansion, default_gazetteer, find_departments

GERS = Department("32", "Gers", "Occitanie")
SEINE_SAINT_DENIS = Department("93", "Seine-Saint-Denis", "Île-de-France")
REUNION = Department("974", "La Réunion", "La Réunion")
MAYENNE = Department("53", "Mayenne", "Pays-de-la-Loire")
TINY = Gazetteer.of(
    [GERS, SEINE_SAINT_DENIS, REUNION, MAYENNE],
    [
        ("Condom", "32"),
        ("Saint-Denis", "93"),
        ("Saint-Denis", "974"),
        ("Changé", "53"),
        ("L'Isle-Jourdain", "32"),
    ],
)


def names(text: str) -> list[str]:
    return [d.name for d in find_departments(text, TINY)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("j'habite a condom, qui aide pour le bail ?", ["Gers"]),
        ("je suis à Condom", ["Gers"]),
        ("Je vis près de Condom", ["Gers"]),
        ("pres de condom", ["Gers"]),
        ("logement à st denis", ["Seine-Saint-Denis", "La Réunion"]),
        ("une asso dans le 93 ?", ["Seine-Saint-Denis"]),
        ("dans le 32", ["Gers"]),
        ("j'habite au 93200", ["Seine-Saint-Denis"]),
        ("code postal 97400", ["La Réunion"]),
        ("la Seine-Saint-Denis", ["Seine-Saint-Denis"]),
        ("on est à L'Isle-Jourdain", ["Gers"]),
    ],
)
def test_a_place_the_question_marks_gives_its_departement(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "un préservatif (condom) est-il fourni ?",  # a word, not marked as a place
        "la loi a changé quoi ?",  # passé composé: Changé is a commune
        "j'ai 32 ans et 2 enfants",  # an age, not "le 32"
        "demande en ligne",  # "en" is no cue (Ligné is a commune)
        "je gagne 32000 euros par an",  # an amount, not a postal code of the Gers
        "un loyer de 93000€ ? ou 93000 eur",
    ],
)
def test_a_word_that_is_also_a_commune_is_not_a_place(text: str) -> None:
    assert names(text) == []


def test_a_capital_that_opens_a_sentence_is_not_a_cue() -> None:
    assert names("Job offer? I found a Job") == []
    assert names("Condom. Je pars a condom") == ["Gers"]


def test_the_terms_are_the_folded_departement_and_region_names() -> None:
    places = PlaceExpansion(gazetteer=TINY)

    assert places.terms("j'habite a condom") == ["gers", "occitanie"]
    assert PlaceExpansion(gazetteer=TINY, region=False).terms("a condom") == ["gers"]
    assert places.terms("dans le 93") == ["seine", "saint", "denis", "ile", "france"]
    assert places.terms("une question sans lieu") == []


def test_the_table_round_trips_through_its_text() -> None:
    text = render_table([GERS, REUNION], [("Condom", "32"), ("Saint-Denis", "974")], "a test")
    parsed = parse_table(text)

    assert parsed.departments == {"32": GERS, "974": REUNION}
    assert parsed.names["condom"] == ("32",)
    assert parsed.names["saint denis"] == ("974",)
    assert parsed.names["gers"] == ("32",)


def test_the_shipped_table_knows_the_departements_and_many_communes() -> None:
    shipped = default_gazetteer()

    assert shipped.departments["32"] == GERS
    assert shipped.departments["2A"].region == "Corse"
    assert len(shipped.departments) >= 100
    assert len(shipped.names) > 5000
