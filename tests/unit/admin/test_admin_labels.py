"""One French label per outcome, for every outcome the pipeline records, and per reason a
question is in the backlog."""

from __future__ import annotations

from admin_app.labels import OUTCOME_LABELS, REASON_LABELS, outcome_label

from pierre_rag.pipeline.models import Outcome
from pierre_rag.review.backlog import Reason
from pierre_rag.stats import OUTCOMES


def test_every_outcome_has_a_french_label() -> None:
    assert set(OUTCOME_LABELS) == {outcome.value for outcome in Outcome} == set(OUTCOMES)


def test_an_answer_stored_without_outcome_reads_as_answered_and_an_unknown_one_as_is() -> None:
    assert (outcome_label(None), outcome_label("nouveau")) == ("Répondu", "nouveau")


def test_every_backlog_reason_has_a_french_label() -> None:
    assert set(REASON_LABELS) == {reason.value for reason in Reason}
