"""A tenant's data as one download: a .zip holding the same conversations twice, as JSON (for a
machine, RGPD article 20) and as readable French text (for the tenant). Standard library only.

What a conversation holds goes in: its messages with their time, language, sources and
outcome, the tenant's feedback, and staff's scores and comments on it. Who among staff wrote
a review stays out (a third party's data, not the tenant's).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from admin_app.labels import outcome_label
from pierre_rag.conversations import AnswerReview, ConversationMeta, Turn
from pierre_rag.data_requests import DataSubject

SUBJECT_LABELS = {
    "phone": "un numéro de téléphone (conservé seulement sous forme d'empreinte irréversible)",
    "conversation": "un identifiant de conversation",
}


@dataclass(frozen=True)
class ExportedConversation:
    meta: ConversationMeta
    turns: list[Turn]
    reviews: dict[str, AnswerReview]


def _stamp(epoch_ms: int, zone: tzinfo) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=zone).isoformat(timespec="seconds")


def _shown(epoch_ms: int, zone: tzinfo) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=zone).strftime("%d/%m/%Y %H:%M")


def _message(turn: Turn, review: AnswerReview | None, zone: tzinfo) -> dict[str, Any]:
    message: dict[str, Any] = {
        "role": "question" if turn.role == "user" else "answer",
        "at": _stamp(turn.created_ms, zone),
        "text": turn.content,
        "language": turn.language,
    }
    if turn.role == "assistant":
        message["outcome"] = turn.outcome or "answered"
        message["sources"] = [
            {key: source[key] for key in ("title", "heading", "file") if source.get(key)}
            for source in turn.sources
        ]
        if review is not None:
            message["staff_review"] = {"score": review.score, "comment": review.comment}
    return message


def _review_of(exported: ExportedConversation, turn: Turn) -> AnswerReview | None:
    """Staff's review of an answer (a question has none)."""
    return exported.reviews.get(turn.message_id) if turn.role == "assistant" else None


def _conversation(exported: ExportedConversation, zone: tzinfo) -> dict[str, Any]:
    meta = exported.meta
    return {
        "id": meta.conversation_id,
        "channel": meta.channel,
        "context": meta.context,
        "started_at": _stamp(meta.created_ms, zone),
        "last_activity_at": _stamp(meta.last_ms, zone),
        "feedback": {"score": meta.customer_score, "comment": meta.customer_comment},
        "staff_score": {"score": meta.organisation_score, "comment": meta.organisation_comment},
        "messages": [_message(turn, _review_of(exported, turn), zone) for turn in exported.turns],
    }


def export_json(
    conversations: list[ExportedConversation],
    *,
    landlord: str,
    subject: DataSubject,
    generated_ms: int,
    zone: tzinfo,
) -> str:
    document = {
        "landlord": landlord,
        "generated_at": _stamp(generated_ms, zone),
        "request": subject.kind,
        "conversations": [_conversation(exported, zone) for exported in conversations],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def _text_turn(turn: Turn, review: AnswerReview | None, zone: tzinfo) -> list[str]:
    speaker = "Question" if turn.role == "user" else "Réponse"
    lines = [f"[{_shown(turn.created_ms, zone)}] {speaker} :", turn.content]
    if turn.role == "assistant":
        lines.append(f"  Résultat : {outcome_label(turn.outcome)}")
        titles = [
            " — ".join(part for part in (s.get("title"), s.get("heading")) if part)
            for s in turn.sources
        ]
        if any(titles):
            lines.append("  Sources : " + " ; ".join(title for title in titles if title))
        if review is not None:
            comment = f" — {review.comment}" if review.comment else ""
            lines.append(f"  Appréciation du bailleur : {review.score}/3{comment}")
    return [*lines, ""]


def _text_conversation(exported: ExportedConversation, zone: tzinfo) -> list[str]:
    meta = exported.meta
    lines = [
        f"=== Conversation {meta.conversation_id} ===",
        f"Canal : {meta.channel.upper()} · commencée le {_shown(meta.created_ms, zone)}"
        f" · dernier message le {_shown(meta.last_ms, zone)}",
        "",
    ]
    for turn in exported.turns:
        lines.extend(_text_turn(turn, _review_of(exported, turn), zone))
    if meta.customer_score is not None:
        opinion = "utile" if meta.customer_score > 0 else "pas utile"
        comment = f" — {meta.customer_comment}" if meta.customer_comment else ""
        lines.append(f"Votre avis : {opinion}{comment}")
    if meta.organisation_score is not None:
        comment = f" — {meta.organisation_comment}" if meta.organisation_comment else ""
        lines.append(f"Appréciation du bailleur : {meta.organisation_score}/3{comment}")
    return [*lines, ""]


def export_text(
    conversations: list[ExportedConversation],
    *,
    landlord_name: str,
    subject: DataSubject,
    generated_ms: int,
    zone: tzinfo,
) -> str:
    lines = [
        f"Vos conversations avec l'assistant de {landlord_name}",
        f"Export du {_shown(generated_ms, zone)} ({zone}),"
        f" à partir d'{SUBJECT_LABELS[subject.kind]}.",
        f"{len(conversations)} conversation(s).",
        "",
    ]
    for exported in conversations:
        lines.extend(_text_conversation(exported, zone))
    return "\n".join(lines)


def export_archive(json_text: str, text: str, generated_ms: int, zone: tzinfo) -> bytes:
    """The .zip of both files, dated ``generated_ms`` (the same data gives the same bytes)."""
    stamp = datetime.fromtimestamp(generated_ms / 1000, tz=zone).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in (("conversations.json", json_text), ("conversations.txt", text)):
            entry = zipfile.ZipInfo(name, date_time=stamp)
            archive.writestr(entry, content.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
