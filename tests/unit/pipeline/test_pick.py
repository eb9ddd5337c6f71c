"""Picking the section that answers among the search's first sections."""

from __future__ import annotations

from pierre_rag.pipeline.pick import WEIGHTS, PickWeights, Signals, best, intent_cues, signals

QUESTION = "combien de temps dure le préavis quand je pars ?"
HEADINGS = [["Quitter son logement", "Comment écrire la lettre ?"], ["Quitter", "Durée du préavis"]]
TEXTS = ["Écrivez une lettre recommandée.", "Le préavis dure trois mois, un mois en meublé."]


def _candidates() -> list[Signals]:
    return [
        signals(QUESTION, h, t, rank)
        for rank, (h, t) in enumerate(zip(HEADINGS, TEXTS, strict=True))
    ]


def test_the_signals_read_the_heading_the_intent_and_the_text():
    # Given a question on a duration, a first section on the letter, a second on the duration
    first, second = _candidates()

    # Then the second's heading holds the question's words and answers "how long"
    assert first.rank == 1.0 and second.rank == 0.5
    assert second.heading > first.heading == 0.0
    assert second.intent == 1.0 and first.intent == 0.0
    assert second.coverage > first.coverage


def test_weights_on_the_heading_pick_the_section_that_answers_over_the_first():
    weights = PickWeights(rank=1.0, heading=2.0, intent=0.5, coverage=0.5, candidates=3)

    assert best(_candidates(), weights) == 1


def test_the_chosen_weights_keep_the_searchs_order_and_only_compete_among_candidates():
    # The cross-validated weights found no signal that helps out of fold: the first stays first
    assert best(_candidates(), WEIGHTS) == 0
    # A section past the candidates never competes, however well it scores
    assert best(_candidates(), PickWeights(heading=5.0, candidates=1)) == 0


def test_intent_cues_come_from_the_questions_interrogative_words():
    assert "duree" in intent_cues("combien de temps ?")
    assert "qui" in intent_cues("qui paie la réparation ?")
    assert intent_cues("préavis meublé") == frozenset()
