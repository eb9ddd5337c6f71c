"""Issue #18 in Chromium: the chat page shows the answer's first words while the model is
still writing it (the turn streamed through the local stack as through CloudFront and the
Function URL), and the rest once the model has finished."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.openai_server import FakeOpenAI, Reply, TokenGate, understanding_then
from tests.helpers import REPO_ROOT
from tests.stack import RunningStack, landlords_answering_with, running_stack

LANDLORD = "pierre-habitat.fr"
ANSWER = (
    "Pour donner votre préavis, envoyez une lettre recommandée avec accusé de réception à "
    "votre bailleur [1]."
)
FIRST_WORDS = "Pour donner"


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture(scope="module")
def streaming_stack(
    tmp_path_factory: pytest.TempPathFactory,
    e2e_datastore: Path,
    dynamodb_local: str,
    llm: FakeOpenAI,
) -> Iterator[RunningStack]:
    folder = tmp_path_factory.mktemp("e2e-streamed") / "landlords"
    landlords = landlords_answering_with(REPO_ROOT / "knowledge", LANDLORD, llm.base_url, folder)
    env = {"PIERRE_DATASTORE": str(e2e_datastore), "PIERRE_LANDLORDS_DIR": str(landlords)}
    state = tmp_path_factory.mktemp("e2e-streamed-state")
    with running_stack(state, dynamodb=dynamodb_local, env=env) as running:
        yield running


def test_the_first_words_are_on_screen_before_the_model_sends_its_last_token(
    streaming_stack: RunningStack, llm: FakeOpenAI, page: Any
) -> None:
    # Given a model that writes at a steady pace and holds its last token until released
    gate = TokenGate(timeout_s=30)
    llm.responder = understanding_then(Reply(ANSWER, chunk_size=12, interval_s=0.02, gate=gate))
    page.goto(f"{streaming_stack.url}/api/embed/{LANDLORD}/default")
    page.locator(".example").first.wait_for()

    try:
        # When the tenant asks a question
        page.get_by_label("Votre question").fill("Comment donner mon préavis ?")
        page.get_by_role("button", name="Envoyer").click()

        # Then the answer's first words are on screen while the model still holds its last
        # token (its stream still open)
        page.wait_for_function(
            "(words) => [...document.querySelectorAll('.msg--bot .msg__body')]"
            ".some((body) => body.textContent.includes(words))",
            arg=FIRST_WORDS,
            timeout=20_000,
        )
        assert not gate.last_sent.is_set() and not gate.closed.is_set()
    finally:
        gate.release.set()

    # And once the model has finished, the whole answer and its feedback buttons are there
    page.locator(".msg--bot").last.locator(".feedback").wait_for(timeout=20_000)
    assert "bailleur" in page.locator(".msg--bot .msg__body").last.inner_text()
    assert page.js_errors == []
