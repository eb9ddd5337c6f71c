"""Follow-up or new topic: the signals of a message and how they weight the two rankings."""

from __future__ import annotations

import pytest

from pierre_rag.knowledge.followup import FollowUpModel, signals


@pytest.mark.parametrize(
    "message",
    [
        "et en meublé ?",
        "Et si je pars pour raison de santé ?",
        "ok et pour un studio",
        "même chose pour mon fils ?",
        "and what about a furnished flat?",
        "y si tengo un perro?",
        "il risque quoi ?",
        "ça dure combien ?",
    ],
)
def test_a_message_tied_to_the_previous_one_leans_on_its_context(message: str) -> None:
    # Given a message that opens with a link or a pronoun, in any of several languages
    found = signals(message, known_words=2, alone_cosine=0.3)

    # When the model weighs the message alone against the message with its context
    alone, contextual = FollowUpModel().weights(found)

    # Then the contextual ranking counts more
    assert contextual > alone


@pytest.mark.parametrize(
    "message",
    [
        "Il y a une odeur de gaz dans ma cuisine, que faire ?",
        "quels sont les horaires de l'agence",
        "ma fenêtre ferme plus, c'est à qui de réparer ?",
        "Ma demande de logement expire quand ?",
        "y a plus d'eau chaude depuis hier",
        "Y a-t-il une aide pour les impayés ?",
        "sinon, je peux avoir un chien dans mon logement ?",
        "autre question : c'est quoi le dépôt de garantie",
    ],
)
def test_a_message_with_its_own_subject_is_searched_mostly_alone(message: str) -> None:
    # Given a message that names its own subject or announces a change ("sinon")
    found = signals(message, known_words=4, alone_cosine=0.5)

    # When the model weighs the two rankings
    alone, contextual = FollowUpModel().weights(found)

    # Then the message alone counts more, and the context still a little (no hard switch)
    assert alone > contextual > 0.0


def test_a_message_that_alone_comes_close_to_nothing_leans_more_on_its_context() -> None:
    # Given the same unmarked message, once close to a chunk alone and once close to nothing
    # ("qui doit payer ?" after a leak says little by itself)
    close = signals("qui doit payer ?", known_words=2, alone_cosine=0.6)
    far = signals("qui doit payer ?", known_words=2, alone_cosine=0.15)

    # When the model weighs the two rankings
    model = FollowUpModel()

    # Then the message that says little alone gives its context more weight
    assert model.weights(far)[1] > model.weights(close)[1]


def test_a_leading_greeting_or_ok_does_not_hide_the_link() -> None:
    assert signals("ok et pour la caution ?", 1, 0.2).link
    assert not signals("Il y a une fuite", 2, 0.4).link


def test_an_impersonal_il_is_not_a_pronoun() -> None:
    # "Il y a…", "il faut…" stand for nothing said before: the message is searched mostly alone
    found = signals("Il y a une odeur de gaz dans ma cuisine", 4, 0.5)
    alone, contextual = FollowUpModel().weights(found)
    assert not found.pronoun
    assert alone > contextual
    assert signals("il faut un garant ?", 2, 0.4).pronoun is False
    assert signals("il risque quoi ?", 1, 0.2).pronoun


def test_french_ma_and_y_a_open_a_message_without_tying_it_to_the_previous_one() -> None:
    # "ma" is a French possessive, "y a" French as it is said ("il y a"): neither is a link
    assert not signals("ma fenêtre ferme plus", 3, 0.4).link
    assert not signals("y a une fuite sous l'évier", 3, 0.4).link
    # Spanish "y" (and) still is
    assert signals("y en un piso amueblado?", 1, 0.2).link


@pytest.mark.parametrize(
    "message",
    [
        "comment je le demande ?",
        "ok et comment on l'obtient",
        "j'y ai droit ?",
        "faut la renouveler ?",
        "il faut l'envoyer où ?",
        "vous les acceptez ?",
    ],
)
def test_an_object_pronoun_before_anything_named_stands_for_the_turn_before(message: str) -> None:
    # "le", "la", "l'", "y" after a subject, or after a modal before an infinitive, with nothing
    # named before them: what they stand for was said in the turn before
    _assert_leans_on_the_turn_before(message)


@pytest.mark.parametrize(
    "message",
    [
        "ma demande hlm je dois la renouveler ?",  # it names what "la" stands for
        "il y a des cafards",  # impersonal
        "y a des horaires ?",
        "quand est le loyer prélevé ?",  # an article
        "faut le dossier complet ?",  # an article: "le" before a noun in -er
        "faut la lettre recommandée ?",  # an article: "la" before a noun in -re
        "le loyer a augmenté",
    ],
)
def test_articles_and_pronouns_that_stand_for_the_message_itself_are_not(message: str) -> None:
    assert not signals(message, 2, 0.3).pronoun


@pytest.mark.parametrize(
    "message",
    ["c'est à moi de payer ?", "c'est normal ?", "ok c'est légal ?", "c'était obligatoire ?"],
)
def test_c_est_about_what_was_said_stands_for_the_turn_before(message: str) -> None:
    # "c'est" opening a judgement on something not named: what was said in the turn before
    _assert_leans_on_the_turn_before(message)


@pytest.mark.parametrize(
    "message",
    [
        "c'est quoi le FSL ?",
        "c'est combien la caution ?",
        "c'est où l'agence ?",
        "c'est qui le gardien ?",
    ],
)
def test_c_est_asking_about_what_it_names_next_is_not_a_pronoun(message: str) -> None:
    assert not signals(message, 2, 0.3).pronoun


def _assert_leans_on_the_turn_before(message: str) -> None:
    found = signals(message, 1, 0.2)

    assert found.pronoun
    alone, contextual = FollowUpModel().weights(found)
    assert contextual > alone


@pytest.mark.parametrize(
    "message",
    ["qui doit payer ?", "je dois payer moi ?", "faut demander avant ?", "qui doit réparer ?"],
)
def test_an_act_asked_about_with_nothing_named_stands_for_the_turn_before(message: str) -> None:
    # Given "qui doit payer ?" after a leaking tap: what is to be paid is the leak
    _assert_leans_on_the_turn_before(message)


@pytest.mark.parametrize(
    "message",
    [
        "qui doit payer l'assurance habitation ?",
        "je dois payer un dépôt de garantie ?",
        "ma demande c'est long ?",  # the noun, not the act
        "la règle c'est quoi ?",
    ],
)
def test_an_act_asked_about_with_what_it_is_about_names_its_own_subject(message: str) -> None:
    assert not signals(message, 2, 0.3).pronoun


@pytest.mark.parametrize(
    "message",
    [
        "qu'est-ce que je dois faire ?",
        "combien ?",
        "c'est pour quand ?",
        "pourquoi ?",
        "c'est qui ?",
        "le bailleur doit faire quoi ?",
        "mon proprio peut faire quoi ?",
    ],
)
def test_a_question_that_names_nothing_stands_for_the_turn_before(message: str) -> None:
    # Given "qu'est-ce que je dois faire ?" after rats seen in the cellar: what to do is
    # about the rats
    _assert_leans_on_the_turn_before(message)


@pytest.mark.parametrize(
    "message",
    [
        "qu'est-ce que je dois faire pour le loyer ?",
        "combien coûte la caution ?",
        "comment contacter mon gardien ?",
        "le bailleur peut entrer chez moi ?",
    ],
)
def test_a_question_that_names_its_subject_is_not_a_pronoun(message: str) -> None:
    assert not signals(message, 2, 0.3).pronoun
