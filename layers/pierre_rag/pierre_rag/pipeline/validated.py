"""Serve a validated answer: staff's own answer to a question close enough to this one.

Checked after the gate (a greeting or an abusive message is not a question) and before the
search; the emergency block, decided from the message alone, still comes first. The message
is matched as it stands (the understood standalone question, never the history), so a
question that changes the subject is matched on its own subject. The landlord's name and the
sources kept with the answer say where it comes from.
"""

from __future__ import annotations

import logging

from pierre_rag.landlords import LandlordConfig
from pierre_rag.pipeline.channels import SMS, ChannelStyle
from pierre_rag.pipeline.models import Source, Understanding
from pierre_rag.review.matching import ValidatedAnswers, ValidatedMatch
from pierre_rag.review.validated import ValidatedAnswer
from pierre_rag.sms.splitting import MAX_PARTS, split_sms

logger = logging.getLogger(__name__)

SIGNATURE = "Réponse validée par {landlord}"


def find_validated(
    answers: ValidatedAnswers | None,
    landlord: LandlordConfig,
    understanding: Understanding,
    text: str,
) -> ValidatedMatch | None:
    """The landlord's validated answer for this message, if one is close enough; a store or
    embedding failure answers as if there were none (the search answers instead)."""
    if answers is None:
        return None
    question = understanding.standalone_question or text
    try:
        return answers.match(landlord.id, question, understanding.language)
    except Exception:
        logger.exception("validated answers could not be read: the search answers")
        return None


def validated_text(match: ValidatedMatch, landlord: LandlordConfig, style: ChannelStyle) -> str:
    """The validated answer and who validated it, in the channel's markup."""
    return _signed(match.answer, landlord, style)


def _signed(answer: ValidatedAnswer, landlord: LandlordConfig, style: ChannelStyle) -> str:
    signature = SIGNATURE.format(landlord=landlord.name or landlord.id)
    return style.fixed_reply(f"{answer.answer}\n\n*{signature}*")


def sms_parts(answer: ValidatedAnswer, landlord: LandlordConfig) -> int:
    """How many SMS the answer takes when served by SMS, signed (at most CM.com's 8: what is
    longer is cut), for staff to see what a long answer costs."""
    text = _signed(answer, landlord, SMS)
    return len(split_sms(text, max_parts=MAX_PARTS, fold_accents=landlord.sms.fold_accents).parts)


def validated_sources(match: ValidatedMatch) -> list[Source]:
    """The sources kept with the validated answer (those no longer valid are left out)."""
    sources = []
    for stored in match.answer.sources:
        try:
            sources.append(Source.model_validate(stored))
        except ValueError:
            continue
    return sources
