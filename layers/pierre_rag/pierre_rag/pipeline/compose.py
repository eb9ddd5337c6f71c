"""Compose: the answer's text, in the channel's style.

A fixed reply when the gate stopped the message; else an answer grounded in the numbered
sources: streamed by the LLM, or extractive (quoted sections) when there is no LLM or it fails
before its first word. A failure mid-answer keeps what was sent and adds an apology. The
composers record what they did in the turn's :class:`AnswerResult` (mode, tokens, model,
round trips, outcome).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence

from pierre_rag.conversations import Turn
from pierre_rag.llm import ChatMessage, LlmClient, LlmError, StreamChunk
from pierre_rag.pipeline import messages
from pierre_rag.pipeline.channels import ChannelStyle
from pierre_rag.pipeline.extractive import extractive_answer
from pierre_rag.pipeline.gate import FixedReply, courtesy_reminder
from pierre_rag.pipeline.models import AnswerResult, Outcome, Understanding
from pierre_rag.pipeline.prompts import generation_messages
from pierre_rag.pipeline.retrieve import Grounding
from pierre_rag.tenants import ContextConfig, TenantConfig

logger = logging.getLogger(__name__)


def fixed_answer(reply: FixedReply, style: ChannelStyle, result: AnswerResult) -> str:
    """The gate's reply, as the channel writes it."""
    result.outcome = reply.outcome
    result.mode = "fixed"
    result.text = style.fixed_reply(reply.text)
    return result.text


def question_for_generation(text: str, standalone_question: str) -> str:
    """The user's words, with the standalone rewrite alongside when it says something else."""
    if not standalone_question or standalone_question == text:
        return text
    return f"{text}\n\n(Question reformulée : {standalone_question})"


async def grounded_answer(
    grounding: Grounding,
    *,
    text: str,
    understanding: Understanding,
    history: Sequence[Turn],
    tenant: TenantConfig,
    context: ContextConfig,
    style: ChannelStyle,
    llm: LlmClient | None,
    result: AnswerResult,
) -> AsyncIterator[str]:
    """The answer to ``text`` from ``grounding``, piece by piece (a courtesy reminder first
    when the message was abusive but carried a real question)."""
    reminder = courtesy_reminder(understanding)
    if reminder:
        yield reminder
    if llm is not None:
        prompt = generation_messages(
            tenant=tenant,
            context=context,
            style=style,
            language=result.language,
            history=history,
            question=question_for_generation(text, understanding.standalone_question),
            sources=grounding.sources,
            texts=grounding.texts,
        )
        try:
            async for piece in llm_answer(llm, prompt, style, result):
                yield piece
            return
        except LlmError as error:  # raised before the first word only
            logger.warning("generation failed, answering with excerpts: %s", error)
    result.mode = "extractive"
    yield extractive_answer(
        grounding.sources,
        grounding.texts,
        language=result.language,
        style=style,
        handoff=style.contact(context),
    )


async def llm_answer(
    llm: LlmClient, prompt: Sequence[ChatMessage], style: ChannelStyle, result: AnswerResult
) -> AsyncIterator[str]:
    """The LLM's answer in the channel's markup: piece by piece, or whole where the channel
    converts it (SMS). Raises :class:`LlmError` if the call fails before its first word (the
    caller answers another way); after it, ends with an apology and the ``error`` outcome."""
    produced = False
    held: list[str] = []
    try:
        async for chunk in llm.stream(prompt, max_tokens=style.max_tokens):
            _count(llm, chunk, result)
            if chunk.delta:
                produced = True
                if style.streams_pieces:
                    yield chunk.delta
                else:
                    held.append(chunk.delta)
    except LlmError as error:
        result.llm_round_trips += 1
        if not produced:
            raise
        logger.error("generation failed mid-answer: %s", error)
        result.outcome = Outcome.ERROR
        if held:
            yield style.llm_answer("".join(held))
        yield "\n\n" + messages.phrases(result.language).error
        return
    result.mode = "llm"
    result.llm_round_trips += 1
    if held:
        yield style.llm_answer("".join(held))


def _count(llm: LlmClient, chunk: StreamChunk, result: AnswerResult) -> None:
    """The stream's last chunk carries the tokens used and the model that answered."""
    if chunk.usage is None:
        return
    result.prompt_tokens += chunk.usage.prompt_tokens
    result.completion_tokens += chunk.usage.completion_tokens
    result.model = chunk.model and f"{llm.name.split(':', 1)[0]}:{chunk.model}"
