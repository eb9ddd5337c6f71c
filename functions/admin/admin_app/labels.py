"""French labels of what the admin shows: one mapping each, used by every page and export."""

from __future__ import annotations

# The values of pierre_rag.pipeline.models.Outcome (not imported: it loads the whole
# pipeline); a unit test checks that every outcome has its label.
OUTCOME_LABELS: dict[str, str] = {
    "answered": "Répondu",
    "off_topic": "Hors sujet",
    "abusive": "Abusif",
    "nothing_found": "Rien trouvé",
    "handoff": "Personne demandée",
    "error": "Erreur",
}
# The values of pierre_rag.review.backlog.Reason: why a question is to improve on
REASON_LABELS: dict[str, str] = {
    "nothing_found": "Rien trouvé",
    "off_topic": "Refus hors sujet",
    "thumbs_down": "Avis négatif",
    "low_score": "Réponse notée 0 ou 1",
}
ANSWER_SCORE_LABELS = {
    0: "0 — fausse ou dangereuse",
    1: "1 — insuffisante",
    2: "2 — correcte",
    3: "3 — parfaite",
}


DATA_REQUEST_ACTION_LABELS = {
    "search": "Recherche",
    "export": "Export",
    "delete": "Suppression",
}


def outcome_label(outcome: str | None) -> str:
    """The French label of a stored outcome (none stored: answered); an unknown one as is."""
    key = outcome or "answered"
    return OUTCOME_LABELS.get(key, key)
