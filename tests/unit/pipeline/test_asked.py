"""The kind of question asked (when, how much, who, why, how), and the section of the picked
article whose heading asks that kind when the picked one's asks another."""

from __future__ import annotations

import pytest

from pierre_rag.pipeline.asked import asked_kind, same_kind_section
from pierre_rag.pipeline.extractive import focus
from pierre_rag.pipeline.models import Source
from pierre_rag.pipeline.retrieve import Grounding

TITLE = "La caution"


def _source(number: int, heading: str, file: str = "caution.md") -> Source:
    return Source(
        number=number, file=file, title=TITLE, heading=heading, breadcrumb=f"{TITLE} > {heading}"
    )


SOURCES = [
    _source(1, "Combien vais-je verser de caution ?"),
    _source(2, "Qui peut avancer la caution à ma place ?"),
    _source(3, "Quand la caution doit-elle m'être remboursée ?"),
    _source(4, "Quand faut-il déclarer un sinistre ?", file="assurance.md"),
]
TEXTS = [
    "La caution vaut au plus un mois de loyer sans les charges, versé une fois.",
    "Un organisme d'aide peut l'avancer, à rembourser ensuite par petites sommes.",
    "Elle revient au locataire dans le mois qui suit la remise des clés si rien n'est retenu.",
    "Déclarez le sinistre à votre assureur dans les cinq jours ouvrés.",
]
QUESTION = "quand est-ce que je vais récupérer ma caution ?"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("quand est-ce que je récupère ma caution", "time"),
        ("Bonjour, quand vais-je récupérer ma caution ?", "time"),
        ("je récupère ma caution quand ?", "time"),
        ("combien de temps dure le préavis ?", "time"),
        ("Quelle est la durée du préavis ?", "time"),
        ("c koi le delai pour partir", "time"),
        ("how long does it take?", "time"),
        ("¿cuándo me devuelven la fianza?", "time"),
        ("combien coûte l'assurance ?", "amount"),
        ("Quel est le montant du loyer ?", "amount"),
        ("how much is the deposit?", "amount"),
        ("c'est à qui de payer la réparation ?", "who"),
        ("Qui paie le remplacement de la chaudière ?", "who"),
        ("who pays for the repair?", "who"),
        ("pourquoi mon loyer augmente ?", "why"),
        ("comment faire une demande de mutation ?", "how"),
        ("how do I apply?", "how"),
    ],
)
def test_the_kind_asked_is_read_from_how_the_question_is_asked(text: str, kind: str):
    assert asked_kind(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "j'ai un voisin qui fait du bruit la nuit",  # a relative "qui" asks no one
        "je paie sans l'aide et je complète quand elle arrive ?",  # "quand" links two clauses
        "combien je paie, et comment ?",  # two kinds
        "mon chauffage est en panne",  # none
        "Les pièces à fournir",
    ],
)
def test_a_message_asking_no_kind_or_two_has_none(text: str):
    assert asked_kind(text) is None


def test_the_section_asking_the_same_kind_is_chosen():
    assert same_kind_section(QUESTION, SOURCES, [0, 1, 2, 3], 0) == 2


def test_the_first_section_is_kept_when_its_heading_asks_the_same_kind():
    question = "combien je dois verser de caution ?"

    assert same_kind_section(question, SOURCES, [0, 1, 2, 3], 0) is None


def test_the_first_section_is_kept_when_its_heading_asks_no_kind():
    sources = [_source(1, "La caution en bref"), *SOURCES[1:]]

    assert same_kind_section(QUESTION, sources, [0, 1, 2, 3], 0) is None


def test_the_first_section_is_kept_when_the_question_asks_no_kind():
    assert same_kind_section("ma caution svp", SOURCES, [0, 1, 2, 3], 0) is None


def test_a_section_of_another_article_is_never_chosen():
    # Given only the other article's section asks "when"
    sources = [SOURCES[0], SOURCES[1], SOURCES[3]]

    assert same_kind_section(QUESTION, sources, [0, 1, 2], 0) is None


def test_only_the_sections_found_compete():
    # Given the search did not keep the "when" section among the candidates
    assert same_kind_section(QUESTION, SOURCES, [0, 1, 3], 0) is None


def test_the_answer_quotes_the_section_asking_the_same_kind():
    grounding = Grounding(list(SOURCES), list(TEXTS))

    quoted = focus(grounding, QUESTION, sections=1, further=0).grounding()

    assert [s.heading for s in quoted.sources] == [SOURCES[2].heading]
    assert quoted.texts == [TEXTS[2]]
