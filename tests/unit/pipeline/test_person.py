"""A message that only asks for a person is told who answers and given the landlord's contact
(``pipeline.person``); a question that names a person among its words stays a question."""

from __future__ import annotations

import pytest

from pierre_rag.pipeline.person import asks_for_a_person


@pytest.mark.parametrize(
    "text",
    [
        "je veux parler à quelqu'un",
        "Je voudrais parler à un conseiller svp",
        "est-ce que je peux parler à une vraie personne ?",
        "un humain svp",
        "conseiller !",
        "parler a qqn stp",
        "je veux joindre un conseiller",
        "mettez-moi en relation avec un conseiller",
        "bonjour, je souhaite être rappelée",
        "Can I talk to a human?",
        "I want to speak to someone please",
        "real person please",
        "quiero hablar con una persona",
        "Quero falar com um atendente",
        "vorrei parlare con un operatore",
        "Ich möchte mit einem Menschen sprechen",
        "bir insanla konuşmak istiyorum",
        "أريد التحدث مع شخص",
    ],
)
def test_a_request_for_a_person_is_one_in_each_language(text: str) -> None:
    assert asks_for_a_person(text)


@pytest.mark.parametrize(
    "text",
    [
        "je veux parler à un conseiller pour mon loyer impayé",
        "personne ne répond à l'agence",
        "mon voisin ne veut pas parler avec moi",
        "je veux parler à mon gardien",
        "comment contacter mon agence ?",
        "je peux héberger quelqu'un ?",
        "le bailleur peut-il faire entrer quelqu'un chez moi ?",
        "je suis agent de sécurité, ai-je droit à un logement ?",
        "t'es vraiment un robot débile",
        "merci",
        "",
    ],
)
def test_a_question_naming_someone_is_not_a_request_for_a_person(text: str) -> None:
    assert not asks_for_a_person(text)
