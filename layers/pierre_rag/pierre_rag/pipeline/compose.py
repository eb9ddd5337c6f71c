"""Compose: the answer's text, in the channel's style.

A fixed reply when the gate stopped the message; else an answer grounded in the numbered
sources: streamed by the LLM, or extractive (quoted sections) when there is no LLM or it fails
before its first word — an empty, blank or filtered answer is such a failure
(:mod:`pierre_rag.llm.usable`). A failure mid-answer keeps what was sent and adds an apology. An
extractive answer is never the previous answer again: it quotes the next-best sections, or says
that nothing new was found, with the landlord's contact. The
composers record what they did in the turn's :class:`AnswerResult` (mode, tokens, model,
round trips, outcome).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence

from pierre_rag.conversations import Turn
from pierre_rag.knowledge.text import tokens
from pierre_rag.landlords import ContextConfig, LandlordConfig
from pierre_rag.llm import ChatMessage, LlmClient, LlmError, LlmNoAnswerError, StreamChunk
from pierre_rag.llm.usable import usable_stream
from pierre_rag.pipeline import messages
from pierre_rag.pipeline.channels import ChannelStyle
from pierre_rag.pipeline.extractive import Focus, extractive_answer, focus
from pierre_rag.pipeline.gate import FixedReply, courtesy_reminder
from pierre_rag.pipeline.models import AnswerResult, Outcome, Understanding
from pierre_rag.pipeline.prompts import generation_messages
from pierre_rag.pipeline.rest import rest_naming, sentences_naming
from pierre_rag.pipeline.retrieve import Grounding
from pierre_rag.pipeline.safety import without_block

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
    landlord: LandlordConfig,
    context: ContextConfig,
    style: ChannelStyle,
    llm: LlmClient | None,
    result: AnswerResult,
    on_call: str | None = None,
) -> AsyncIterator[str]:
    """The answer to ``text`` from ``grounding``, piece by piece (a courtesy reminder first
    when the message was abusive but carried a real question). ``on_call`` is the landlord's
    on-call line for a reported breakdown (:mod:`.breakdowns`): an extractive answer and
    "nothing found" write it after the contact, the LLM is asked to give it."""
    reminder = courtesy_reminder(understanding)
    if reminder:
        yield reminder
    if llm is not None:
        prompt = generation_messages(
            landlord=landlord,
            context=context,
            style=style,
            language=result.language,
            history=history,
            question=question_for_generation(text, understanding.standalone_question),
            sources=grounding.sources,
            texts=grounding.texts,
            on_call=on_call,
        )
        try:
            async for piece in llm_answer(llm, prompt, style, result):
                yield piece
            return
        except LlmError as error:  # raised before the first word only
            logger.warning("generation failed, answering with excerpts: %s", error)
            result.llm_failures.append("generation")
    result.mode = "extractive"
    handoff = style.contact(context)
    # The passage is the answer: who to call and the number leave it the most room.
    short_handoff = context.handoff.as_short_text() if context.handoff else None

    question = understanding.standalone_question or text

    def focused(candidate: Grounding) -> Focus:
        return focus(
            candidate, question, sections=style.excerpt_sections, further=style.further_reading
        )

    def write(picked: Focus) -> str:
        if not picked.quoted.sources:
            return ""
        shown = picked.grounding()
        quoted = len(picked.quoted.sources)
        return extractive_answer(
            shown.sources[:quoted],
            shown.texts[:quoted],
            further=shown.sources[quoted:],
            language=result.language,
            style=style,
            handoff=short_handoff,
            on_call=on_call,
        )

    fresh = fresh_grounding(grounding, previous_answer(history), focused, write, question)
    picked = focused(fresh) if fresh else Focus(Grounding())
    # Written before the grounding is cut down (``fresh`` can be the grounding itself).
    answer = write(picked)
    asked = set(tokens(text))  # the acronyms of the message itself, not of its context
    named = [acronym for acronym in grounding.acronyms if acronym in asked]
    reaching = _to_the_acronym(fresh, picked, named, answer, focused, write)
    if reaching is not None:
        picked = focused(reaching)
        answer = write(picked)
    # The grounding keeps only what the answer shows: the sources listed are those.
    shown = picked.grounding()
    grounding.sources[:] = shown.sources
    grounding.texts[:] = shown.texts
    if not answer or not picked.quoted.sources:
        result.outcome = Outcome.NOTHING_FOUND
        result.mode = "fixed"
        yield style.fixed_reply(messages.nothing_found(result.language, handoff, on_call))
        return
    result.quoted = [source.number for source in shown.sources[: len(picked.quoted.sources)]]
    yield answer


def previous_answer(history: Sequence[Turn]) -> str | None:
    """The assistant's last answer in the conversation, if any (without its emergency block)."""
    said = next((turn.content for turn in reversed(history) if turn.role == "assistant"), None)
    return without_block(said) if said is not None else None


def fresh_grounding(
    grounding: Grounding,
    previous: str | None,
    focused: Callable[[Grounding], Focus],
    write: Callable[[Focus], str],
    question: str = "",
) -> Grounding | None:
    """The sources whose answer does not quote what ``previous`` quoted, word for word (the
    articles offered to read more aside): all of them, else without the sections quoted, one
    answer at a time, keeping only the sections of the articles they were in (renumbered);
    None when every answer would repeat it or leave the subject.

    A follow-up such as "et si je pars pour raison de santé ?" can find the very sections of the
    previous answer: quoting them again tells the landlord nothing, and quoting another
    article's section, ranked lower, would answer another question. The sections dropped are
    those the answer quoted, which need not be the search's first (``pipeline.sibling``).
    Before a section quoted again is dropped, it is tried from the sentence naming what
    ``question`` asks (``pipeline.rest``)."""
    if previous is None:
        return grounding
    said = _what_is_quoted(previous)
    indexes = list(range(len(grounding.sources)))
    files: set[str] = set()
    while indexes:
        candidate = Grounding(
            [
                grounding.sources[i].model_copy(update={"number": n})
                for n, i in enumerate(indexes, 1)
            ],
            [grounding.texts[i] for i in indexes],
        )
        picked = focused(candidate)
        rendered = _what_is_quoted(write(picked))
        if rendered and rendered != said:
            return candidate
        quoted = {indexes[source.number - 1] for source in picked.quoted.sources}
        if not quoted:
            return None
        further = _further_in(candidate, picked, question, said, focused, write)
        if further is not None:
            return further
        files |= {grounding.sources[i].file for i in quoted}
        indexes = [i for i in indexes if i not in quoted and grounding.sources[i].file in files]
    return None


def _further_in(
    candidate: Grounding,
    picked: Focus,
    question: str,
    said: str,
    focused: Callable[[Grounding], Focus],
    write: Callable[[Focus], str],
) -> Grounding | None:
    """``candidate`` with its first quoted section cut to where it names what ``question``
    asks, or else to the sentences naming it, when its answer then says something other than
    ``said``; None otherwise."""
    text = candidate.texts[_first_quoted(picked)]
    for cut in (rest_naming(text, question), sentences_naming(text, question)):
        if cut is None:
            continue
        further = _with_first_quoted_as(candidate, picked, cut)
        rendered = _what_is_quoted(write(focused(further)))
        if rendered and rendered != said:
            return further
    return None


def _to_the_acronym(
    candidate: Grounding | None,
    picked: Focus,
    acronyms: Sequence[str],
    answer: str,
    focused: Callable[[Grounding], Focus],
    write: Callable[[Focus], str],
) -> Grounding | None:
    """``candidate`` with its first quoted section starting at the sentence naming an acronym
    the message names ("c'est quoi le SIAO ?"), when the answer does not reach it and the
    answer cut so does; None otherwise."""
    if candidate is None or not acronyms or not picked.quoted.sources:
        return None
    if _names_any(answer, acronyms):
        return None
    cut = rest_naming(candidate.texts[_first_quoted(picked)], " ".join(acronyms))
    if cut is None:
        return None
    reaching = _with_first_quoted_as(candidate, picked, cut)
    return reaching if _names_any(write(focused(reaching)), acronyms) else None


def _first_quoted(picked: Focus) -> int:
    """The index, in the grounding ``picked`` was focused from, of its first quoted section."""
    return picked.quoted.sources[0].number - 1


def _with_first_quoted_as(candidate: Grounding, picked: Focus, text: str) -> Grounding:
    """``candidate`` with ``text`` in place of the first section ``picked`` quotes."""
    texts = list(candidate.texts)
    texts[_first_quoted(picked)] = text
    return Grounding(list(candidate.sources), texts)


def _names_any(text: str, acronyms: Sequence[str]) -> bool:
    words = set(tokens(text))  # "SIAO." and "(SIAO)" name it too
    return any(acronym in words for acronym in acronyms)


def _what_is_quoted(answer: str) -> str:
    """The answer without the line offering articles to read more (which can name other
    articles when the same passage is quoted again), whitespace normalised."""
    kept = [line for line in answer.splitlines() if not messages.offers_reading(line)]
    return " ".join(" ".join(kept).split())


async def llm_answer(
    llm: LlmClient, prompt: Sequence[ChatMessage], style: ChannelStyle, result: AnswerResult
) -> AsyncIterator[str]:
    """The LLM's answer in the channel's markup: piece by piece, or whole where the channel
    converts it (SMS). Raises :class:`LlmError` if the call fails, or answers nothing visible,
    before its first word (the caller answers another way); after it, ends with an apology
    and the ``error`` outcome."""
    produced = False
    held: list[str] = []
    try:
        async for chunk in usable_stream(llm.stream(prompt, max_tokens=style.max_tokens)):
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
        result.llm_failures.append("generation_mid_answer")
        result.outcome = Outcome.ERROR
        if held:
            yield style.llm_answer("".join(held))
        yield "\n\n" + messages.phrases(result.language).error
        return
    result.llm_round_trips += 1
    whole = style.llm_answer("".join(held)) if held else ""
    if held and not whole.strip():  # nothing but markup, once converted: nothing was sent
        raise LlmNoAnswerError("the model's answer is only markup")
    result.mode = "llm"
    if whole:
        yield whole


def _count(llm: LlmClient, chunk: StreamChunk, result: AnswerResult) -> None:
    """The stream's last chunk carries the tokens used and the model that answered."""
    if chunk.usage is None:
        return
    result.prompt_tokens += chunk.usage.prompt_tokens
    result.completion_tokens += chunk.usage.completion_tokens
    result.model = chunk.model and f"{llm.name.split(':', 1)[0]}:{chunk.model}"
