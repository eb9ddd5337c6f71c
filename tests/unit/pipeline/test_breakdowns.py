"""A breakdown or a leak a tenant reports: the answer names the landlord's on-call line."""

from __future__ import annotations

import pytest

from pierre_rag.pipeline.breakdowns import on_call_line, reports_breakdown
from pierre_rag.pipeline.messages import PHRASES
from tests.helpers import landlord_with_on_call

ON_CALL = "01 99 00 99 99"


@pytest.mark.parametrize(
    "message",
    [
        "J'ai une fuite d'eau le soir, qui appeler ?",
        "mon chauffage ne marche plus",
        "chauffage en panne depuis ce matin",
        "plus d'eau chaude chez moi depuis hier",
        "il n'y a plus de courant dans l'appart",
        "les toilettes sont bouchées et ça refoule",
        "le plafond de la salle de bain fuit",
        "la porte du hall est bloquée, on ne peut plus entrer",
        "My kitchen tap is leaking badly, who do I call?",
        "no hot water since yesterday",
        "Tengo una fuga de agua en el baño",
        "o aquecimento não funciona",
        "ho una perdita d'acqua in cucina",
        "Die Heizung ist ausgefallen",
        "kalorifer çalışmıyor",
        "يوجد تسرب مياه في المطبخ",
    ],
)
def test_a_breakdown_reported_in_any_answer_language_is_recognised(message: str) -> None:
    assert reports_breakdown(message)


@pytest.mark.parametrize(
    "message",
    [
        "Qui paie la réparation de la chasse d'eau ?",
        "la fuite du robinet, c'est à ma charge ?",
        "j'ai eu un dégât des eaux le mois dernier, l'assurance ne répond pas",
        "combien coûte un dépannage de chaudière ?",
        "comment faire une demande de logement social ?",
        "quel est le montant du dépôt de garantie ?",
        "Who pays for a leaking tap?",
    ],
)
def test_questions_on_paying_or_other_subjects_are_not_breakdowns(message: str) -> None:
    assert not reports_breakdown(message)


def test_the_on_call_line_is_the_landlords_number_in_the_tenants_language() -> None:
    assert on_call_line("mon chauffage ne marche plus", landlord_with_on_call(), "fr") == (
        "Urgence hors des heures d'ouverture : astreinte 01 99 00 99 99."
    )
    assert on_call_line("no hot water", landlord_with_on_call(), "en") == (
        "Urgent repair out of hours: on-call line 01 99 00 99 99."
    )


def test_no_on_call_line_without_a_breakdown_or_without_a_number() -> None:
    assert on_call_line("c'est quoi le DALO ?", landlord_with_on_call(), "fr") is None
    without_number = landlord_with_on_call(on_call=None)
    assert on_call_line("mon chauffage ne marche plus", without_number, "fr") is None


@pytest.mark.parametrize("language", sorted(PHRASES))
def test_every_answer_language_has_a_short_on_call_line(language: str) -> None:
    line = PHRASES[language].on_call.format(phone=ON_CALL)
    assert ON_CALL in line
    # an SMS answer written in UCS-2 holds about 180 characters: the line must leave room
    assert len(line) <= 80
