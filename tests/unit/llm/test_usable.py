"""An empty, blank or filtered model output is no answer, whatever the provider."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from pierre_rag.llm import CONTENT_FILTER, Completion, LlmNoAnswerError, StreamChunk, Usage
from pierre_rag.llm.usable import usable_completion, usable_stream

LAST = StreamChunk(usage=Usage(30, 2), model="m", finish_reason="stop")


async def _chunks(*chunks: StreamChunk) -> AsyncIterator[StreamChunk]:
    for chunk in chunks:
        yield chunk


def _read(*chunks: StreamChunk) -> tuple[list[StreamChunk], Exception | None]:
    """The chunks that came through, and the error the stream ended with (if any)."""
    seen: list[StreamChunk] = []

    async def collect() -> None:
        async for chunk in usable_stream(_chunks(*chunks)):
            seen.append(chunk)

    try:
        asyncio.run(collect())
    except LlmNoAnswerError as error:
        return seen, error
    return seen, None


@pytest.mark.parametrize("deltas", [[], [""], [" "], ["\n\n", "  ", "\t"]])
def test_a_stream_with_nothing_visible_is_no_answer_but_its_tokens_count(deltas):
    # Given a stream of empty or blank deltas, then its usage
    chunks = [StreamChunk(delta=d) for d in deltas]

    # When it is read
    seen, error = _read(*chunks, LAST)

    # Then no blank delta comes through, the usage does, and the stream ends with no answer
    assert all(not c.delta for c in seen)
    assert seen[-1].usage == Usage(30, 2)
    assert isinstance(error, LlmNoAnswerError)


def test_blank_deltas_before_the_first_word_are_dropped_and_later_ones_kept():
    seen, error = _read(
        StreamChunk(delta="\n\n"),
        StreamChunk(delta="Un"),
        StreamChunk(delta=" "),
        StreamChunk(delta="mois."),
        LAST,
    )

    assert error is None
    assert "".join(c.delta for c in seen) == "Un mois."


def test_a_blank_delta_carrying_the_usage_keeps_the_usage():
    seen, error = _read(StreamChunk(delta=" ", usage=Usage(5, 1)))

    assert [(c.delta, c.usage) for c in seen] == [("", Usage(5, 1))]
    assert isinstance(error, LlmNoAnswerError)


def test_a_filtered_stream_ends_with_no_answer_after_what_it_said():
    # Given a stream the provider's filter stopped after a word
    filtered = StreamChunk(usage=Usage(30, 1), model="m", finish_reason=CONTENT_FILTER)

    # When it is read
    seen, error = _read(StreamChunk(delta="Je"), filtered)

    # Then the word came through (the caller decides what to do with it), then the error
    assert [c.delta for c in seen] == ["Je", ""]
    assert isinstance(error, LlmNoAnswerError) and "filter" in str(error)


@pytest.mark.parametrize(
    "completion",
    [
        Completion("", "m"),
        Completion(" \n ", "m"),
        Completion('{"language": "fr"}', "m", finish_reason=CONTENT_FILTER),
    ],
)
def test_a_blank_or_filtered_completion_is_no_answer(completion):
    with pytest.raises(LlmNoAnswerError):
        usable_completion(completion)


def test_a_completion_with_text_is_an_answer():
    completion = Completion("{}", "m", finish_reason="stop")

    assert usable_completion(completion) is completion


def test_no_answer_is_not_worth_a_retry():
    # the same prompt gets the same nothing: the caller answers another way at once
    assert not LlmNoAnswerError("x").retryable
