"""Answers without an LLM: the best sections, quoted briefly, with their titles and sources.

Honest by construction: the text says it is made of excerpts, and the excerpts are French
(the knowledge's language) whatever the user's language; only the framing is translated.
"""

from __future__ import annotations

from collections.abc import Sequence

from pierre_rag.pipeline.messages import phrases
from pierre_rag.pipeline.models import Channel, Source
from pierre_rag.pipeline.text import excerpt, excerpt_lines


def extractive_answer(
    sources: Sequence[Source],
    texts: Sequence[str],
    *,
    language: str,
    channel: Channel,
    handoff: str | None,
) -> str:
    p = phrases(language)
    if channel == "sms":
        best_source, best_text = sources[0], texts[0]
        body = excerpt(best_text, 280)  # with heading and contact: about 3 SMS
        contact = f" {p.contact.format(handoff=handoff)}" if handoff else ""
        return f"{best_source.heading} : {body}{contact}"
    parts = [p.excerpts_intro, ""]
    for source, text in list(zip(sources, texts, strict=True))[:2]:
        parts.append(f"**{source.heading}** [{source.number}]")
        parts.append("")
        parts.append(excerpt_lines(text, 700))
        parts.append("")
    parts.append(f"_{p.excerpts_note}_")
    if handoff:
        parts.append("")
        parts.append(p.contact.format(handoff=handoff))
    return "\n".join(parts)
