"""Answers without an LLM: the best sections, quoted briefly, with their titles and sources.

Honest by construction: the text says it is made of excerpts, and the excerpts are French
(the knowledge's language) whatever the user's language; only the framing is translated.
How much is quoted, and in which markup, is the channel's style.
"""

from __future__ import annotations

from collections.abc import Sequence

from pierre_rag.pipeline.channels import ChannelStyle
from pierre_rag.pipeline.messages import Phrases, phrases
from pierre_rag.pipeline.models import Source
from pierre_rag.pipeline.text import excerpt, excerpt_lines


def extractive_answer(
    sources: Sequence[Source],
    texts: Sequence[str],
    *,
    language: str,
    style: ChannelStyle,
    handoff: str | None,
) -> str:
    quoted = list(zip(sources, texts, strict=True))[: style.excerpt_sections]
    if style.markup == "plain":
        return _plain(quoted, phrases(language), style.excerpt_chars, handoff)
    return _markdown(quoted, phrases(language), style.excerpt_chars, handoff)


def _plain(
    quoted: Sequence[tuple[Source, str]], p: Phrases, chars: int, handoff: str | None
) -> str:
    """One line per section ("heading : first sentences"), the contact at the end."""
    lines = [f"{source.heading} : {excerpt(text, chars)}" for source, text in quoted]
    contact = f" {p.contact.format(handoff=handoff)}" if handoff else ""
    return "\n".join(lines) + contact


def _markdown(
    quoted: Sequence[tuple[Source, str]], p: Phrases, chars: int, handoff: str | None
) -> str:
    """An introduction, each section's heading in bold with its number and whole lines of its
    text, a note that these are excerpts, then the contact."""
    parts = [p.excerpts_intro, ""]
    for source, text in quoted:
        parts.append(f"**{source.heading}** [{source.number}]")
        parts.append("")
        parts.append(excerpt_lines(text, chars))
        parts.append("")
    parts.append(f"_{p.excerpts_note}_")
    if handoff:
        parts.append("")
        parts.append(p.contact.format(handoff=handoff))
    return "\n".join(parts)
