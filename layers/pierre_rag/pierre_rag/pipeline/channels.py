"""How each channel writes an answer: one frozen style per channel.

The stages ask the style, never which channel they serve: a new channel is one more style
here (and one more value of :data:`~pierre_rag.channel.Channel`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from pierre_rag.channel import Channel
from pierre_rag.landlords import ContextConfig
from pierre_rag.pipeline.text import markdown_to_plain
from pierre_rag.sms.splitting import split_sms

Markup = Literal["markdown", "plain"]


@dataclass(frozen=True)
class ChannelStyle:
    """Format, length budget and wording of the human contact for one channel."""

    channel: Channel
    markup: Markup
    format_rule: str  # the format rule the LLM is given
    max_tokens: int  # the LLM answer's budget
    sources: int  # sections given to the LLM (and shown, where the context shows sources)
    excerpt_sections: int  # sections an extractive answer quotes
    further_reading: int  # other articles it names to read more
    max_words: int  # an extractive answer's budget, in words…
    max_sms_parts: int | None  # …and in SMS parts, where the channel is SMS
    short_contact: bool  # the human contact as "who, which number" only

    def contact(self, context: ContextConfig) -> str | None:
        """The context's human contact as this channel writes it, if it has one."""
        if context.handoff is None:
            return None
        return context.handoff.as_short_text() if self.short_contact else context.handoff.as_text()

    def fixed_reply(self, text: str) -> str:
        """A fixed reply (greeting, refusal, nothing found) in this channel's markup."""
        return markdown_to_plain(text) if self.markup == "plain" else text

    def fits(self, answer: str) -> bool:
        """Whether an extractive ``answer`` keeps within this channel's budget."""
        if len(answer.split()) > self.max_words:
            return False
        if self.max_sms_parts is None:
            return True
        split = split_sms(answer, max_parts=self.max_sms_parts)
        return not split.truncated

    @property
    def streams_pieces(self) -> bool:
        """Markdown is sent piece by piece as the LLM writes it; plain text is converted from
        the whole answer, since markup and the spaces between words span the pieces."""
        return self.markup == "markdown"

    def llm_answer(self, text: str) -> str:
        """An LLM answer (or its start) in this channel's markup; citations such as ``[1]``
        are kept."""
        return markdown_to_plain(text, keep_citations=True) if self.markup == "plain" else text


WEB = ChannelStyle(
    channel="web",
    markup="markdown",
    format_rule=(
        "Réponse courte et bienveillante (au plus 180 mots), en Markdown simple (listes, gras)."
    ),
    max_tokens=600,
    sources=4,
    excerpt_sections=1,
    further_reading=2,
    max_words=120,
    max_sms_parts=None,
    short_contact=False,
)

# Every character costs: an extractive answer is at most 3 SMS — about 180 characters when
# accents keep it in UCS-2 (67 a part), the contact included.
SMS = ChannelStyle(
    channel="sms",
    markup="plain",
    format_rule=(
        "Réponse en texte brut pour un SMS : pas de Markdown, pas de liste à puces, au plus "
        "450 caractères, phrases courtes."
    ),
    max_tokens=250,
    # As many sections as the web: an extractive SMS answer picks its one quote among them as
    # the web's does (3 sections: 9 rows of the answer sets lost their quote, 1 gained;
    # docs/retrieval.md). The LLM reads one section more per SMS turn.
    sources=4,
    excerpt_sections=1,
    further_reading=0,
    max_words=120,
    max_sms_parts=3,
    short_contact=True,
)

CHANNELS: Mapping[Channel, ChannelStyle] = MappingProxyType({"web": WEB, "sms": SMS})
