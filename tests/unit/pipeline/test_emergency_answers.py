"""Safety first: every emergency intent gets its block first, on the web and by SMS, asked
fresh or after an unrelated turn, with and without an LLM, whatever the LLM or the gate say."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Sequence
from typing import cast

import pytest

from pierre_rag.channel import Channel
from pierre_rag.knowledge.search import KnowledgeBase
from pierre_rag.llm.openai_compat import OpenAICompatibleClient
from pierre_rag.llm.resilience import ResilientClient
from pierre_rag.pipeline import Outcome, Pipeline, TurnRequest
from pierre_rag.pipeline.emergencies import Emergency
from pierre_rag.sms.splitting import split_sms
from pierre_rag.storage.memory import MemoryConversations
from tests.fakes.llm import ScriptedLlm
from tests.fakes.openai_server import Fail, FakeOpenAI, Reply

LANDLORD = "exemple-hlm.fr"
ON_CALL = {"web": "01 99 00 99 99", "sms": "0199009999"}
TITLE = {"web": "**URGENCE**\n- ", "sms": "URGENCE\n- "}

MESSAGES = {
    Emergency.GAS: "ça sent le gaz dans l'entrée, je fais quoi ?",
    Emergency.FIRE: "il y a de la fumée dans l'escalier",
    Emergency.CARBON_MONOXIDE: "l'alarme monoxyde sonne et j'ai mal à la tête",
    Emergency.ELECTRICITY: "des étincelles sortent de la prise du salon",
    Emergency.WATER: "inondation dans la salle de bain, l'eau passe chez le voisin",
    Emergency.LIFT: "mon voisin est coincé dans l'ascenseur",
    Emergency.VIOLENCE: "mon mari me frappe",
    Emergency.DANGER: "une dame est inconsciente dans le hall",
}
# Numbers each block must carry (as the web writes them; SMS writes them without spaces).
MUST_CALL = {
    Emergency.GAS: ("0 800 47 33 33", "18", "112"),
    Emergency.FIRE: ("18", "112"),
    Emergency.CARBON_MONOXIDE: ("18", "15", "112"),
    Emergency.ELECTRICITY: ("18", "112"),
    Emergency.WATER: ("18",),
    Emergency.LIFT: ("112",),
    Emergency.VIOLENCE: ("17", "3919", "114", "112"),
    Emergency.DANGER: ("15", "17", "18", "112", "114"),
}
BUILDING = {
    Emergency.GAS,
    Emergency.FIRE,
    Emergency.CARBON_MONOXIDE,
    Emergency.ELECTRICITY,
    Emergency.WATER,
    Emergency.LIFT,
}
UNRELATED = "Comment donner mon préavis ?"
# What an LLM may write whatever the message: it must not replace nor precede the block.
LLM_ANSWER = "Contactez votre agence aux heures d'ouverture [1]."


def _understood(text: str, *, in_scope: bool = True) -> str:
    return json.dumps(
        {
            "language": "fr",
            "in_scope": in_scope,
            "abusive": False,
            "standalone_question": text,
            "search_queries": [text],
        }
    )


def _pipeline(registry, knowledge, store, llm: ScriptedLlm | None) -> Pipeline:
    return Pipeline(registry, knowledge, store, llm_for=lambda landlord: llm)


def _ask(pipeline: Pipeline, text: str, channel: Channel, conversation: str = "conv-1"):
    request = TurnRequest(
        landlord=LANDLORD,
        channel=channel,
        conversation_id=conversation,
        message_id=str(uuid.uuid4()),
        text=text,
    )

    async def collect():
        return [event async for event in pipeline.stream(request)]

    return asyncio.run(collect())


def _block_of(text: str) -> str:
    return text.split("\n\n", 1)[0]


def _numbers(channel: str, numbers: Sequence[str]) -> list[str]:
    return [n.replace(" ", "") if channel == "sms" else n for n in numbers]


@pytest.mark.parametrize("with_llm", [False, True], ids=["extractive", "llm"])
@pytest.mark.parametrize("after_unrelated_turn", [False, True], ids=["fresh", "after_turn"])
@pytest.mark.parametrize("channel", ["web", "sms"])
@pytest.mark.parametrize("intent", list(Emergency))
def test_every_emergency_gets_its_block_first(
    registry, knowledge, intent, channel, after_unrelated_turn, with_llm
):
    # Given a conversation, maybe with an unrelated turn already answered, and maybe an LLM
    # that understands the message and answers with no word of safety
    store = MemoryConversations()
    text = MESSAGES[intent]
    llm = ScriptedLlm(understood=_understood(text), answer=LLM_ANSWER) if with_llm else None
    pipeline = _pipeline(registry, knowledge, store, llm)
    if after_unrelated_turn:
        _ask(pipeline, UNRELATED, channel)

    # When the emergency message comes
    events = _ask(pipeline, text, channel)

    # Then the first thing streamed is the block, with the intent's numbers, and the landlord's
    # on-call line for an emergency in the building; the stored answer starts with it too
    result = events[-1].result
    assert result is not None
    first = events[0]
    assert first.type == "delta" and first.text.startswith(TITLE[channel])
    assert result.text.startswith(first.text)
    assert result.emergencies == [intent.value]
    block = _block_of(result.text)
    for number in _numbers(channel, MUST_CALL[intent]):
        assert number in block
    assert (ON_CALL[channel] in block) == (intent in BUILDING)
    assert "".join(e.text for e in events if e.type == "delta") == result.text
    assert store.all_turns("conv-1")[-1].content == result.text
    if channel == "sms":
        assert "**" not in result.text


@pytest.mark.parametrize("channel", ["web", "sms"])
def test_an_llm_that_calls_the_message_off_topic_leaves_the_block_as_the_answer(
    registry, knowledge, channel
):
    # Given an LLM that judges domestic violence outside housing questions
    text = MESSAGES[Emergency.VIOLENCE]
    llm = ScriptedLlm(understood=_understood(text, in_scope=False))
    pipeline = _pipeline(registry, knowledge, MemoryConversations(), llm)

    # When the message comes
    result = _ask(pipeline, text, channel)[-1].result

    # Then the answer is the block alone: no refusal after it, and not counted as refused
    assert result is not None
    assert result.text == _block_of(result.text)
    assert "3919" in result.text
    assert result.outcome is Outcome.ANSWERED


def test_nothing_found_leaves_the_block_as_the_answer(registry, knowledge):
    # Given a danger message the knowledge has nothing about (the local gate would refuse it)
    pipeline = _pipeline(registry, knowledge, MemoryConversations(), None)

    # When it is asked
    result = _ask(pipeline, "au secours aidez moi vite", "web")[-1].result

    # Then the block is the whole answer
    assert result is not None
    assert result.emergencies == ["danger"]
    assert result.text == _block_of(result.text)
    assert result.outcome is Outcome.ANSWERED


class _BrokenKnowledge:
    def search_many(self, *args, **kwargs):
        raise RuntimeError("the datastore is unreadable")

    def search_with_history(self, *args, **kwargs):
        raise RuntimeError("the datastore is unreadable")


def test_the_block_does_not_depend_on_the_search(registry):
    # Given a knowledge base that fails on every search
    broken = cast(KnowledgeBase, _BrokenKnowledge())
    pipeline = Pipeline(registry, broken, None, llm_for=lambda landlord: None)

    # When an emergency comes, the block is still the answer
    result = _ask(pipeline, MESSAGES[Emergency.GAS], "sms")[-1].result
    assert result is not None
    assert result.text.startswith("URGENCE") and "0800473333" in result.text

    # And any other message still fails as before
    with pytest.raises(RuntimeError, match="unreadable"):
        _ask(pipeline, UNRELATED, "sms")


def test_the_sms_budget_cuts_the_rest_never_the_block(registry, knowledge):
    # Given an LLM whose answer would fill far more than the SMS budget
    text = MESSAGES[Emergency.GAS]
    long_answer = "Une phrase de conseil qui n'en finit pas sur la sécurité. " * 40
    llm = ScriptedLlm(understood=_understood(text), answer=long_answer)
    pipeline = _pipeline(registry, knowledge, MemoryConversations(), llm)

    # When the answer is split into SMS parts
    result = _ask(pipeline, text, "sms")[-1].result
    assert result is not None
    split = split_sms(result.text)

    # Then the rest is cut, and every line of the block is sent whole
    assert split.truncated
    sent = " ".join(part.split(") ", 1)[1] for part in split.parts)
    for line in _block_of(result.text).splitlines():
        assert " ".join(line.split()) in " ".join(sent.split())


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("I can smell gas in my kitchen", "**EMERGENCY**"),
        ("huele a gas en mi cocina", "**URGENCIA**"),
        ("cheira a gás na cozinha, o que faço?", "**EMERGÊNCIA**"),
        ("هناك رائحة غاز في المطبخ", "**طوارئ**"),
        ("mutfakta gaz kokusu var", "**ACİL DURUM**"),
        ("es riecht nach Gas in der Küche", "**NOTFALL**"),
        ("c'è odore di gas in cucina", "**EMERGENZA**"),
        ("У мене в квартирі пахне газом", "**ТЕРМІНОВО**"),
        ("В квартире пахнет газом", "**СРОЧНО**"),
    ],
)
def test_the_block_is_in_the_users_language(registry, knowledge, text, title):
    pipeline = _pipeline(registry, knowledge, None, None)

    result = _ask(pipeline, text, "web")[-1].result

    assert result is not None
    assert result.text.startswith(title + "\n")
    assert "0 800 47 33 33" in result.text


@pytest.mark.parametrize(
    "text",
    ["le détecteur de fumée bipe, pile faible ?", "fuite du robinet", "ascenseur en panne"],
)
def test_look_alikes_get_no_block(registry, knowledge, text):
    pipeline = _pipeline(registry, knowledge, None, None)

    result = _ask(pipeline, text, "web")[-1].result

    assert result is not None
    assert result.emergencies == []
    assert "URGENCE" not in result.text


@pytest.mark.parametrize(
    "behaviour",
    [Reply("Appelez votre agence lundi [1]."), Fail(503)],
    ids=["answers", "is_down"],
)
@pytest.mark.parametrize("channel", ["web", "sms"])
def test_through_an_openai_compatible_server_the_block_comes_first(
    registry, knowledge, channel, behaviour
):
    # Given a real client talking to a fake OpenAI-compatible server that answers off the
    # point, or fails every call
    text = MESSAGES[Emergency.GAS]
    with FakeOpenAI() as fake:
        fake.responder = lambda request: (
            Reply(_understood(text)) if isinstance(behaviour, Reply) else behaviour
        )
        client = OpenAICompatibleClient("gpt-4o-mini", "sk-test", fake.base_url, 5.0)
        llm = ResilientClient([client], attempts=1)
        pipeline = Pipeline(registry, knowledge, None, llm_for=lambda landlord: llm)

        # When the gas message comes
        result = _ask(pipeline, text, channel)[-1].result

    # Then the answer starts with the gas block all the same
    assert result is not None
    assert result.text.startswith(TITLE[channel])
    assert _numbers(channel, ["0 800 47 33 33"])[0] in _block_of(result.text)


@pytest.mark.parametrize("channel", ["web", "sms"])
def test_the_same_emergency_twice_gives_the_block_again_but_not_the_same_answer(
    registry, knowledge, channel
):
    # Given a gas message answered once
    pipeline = _pipeline(registry, knowledge, MemoryConversations(), None)
    first = _ask(pipeline, MESSAGES[Emergency.GAS], channel)[-1].result

    # When the tenant writes it again
    second = _ask(pipeline, MESSAGES[Emergency.GAS], channel)[-1].result

    # Then the block is given again, and what follows it is not the previous answer again
    assert first is not None and second is not None
    assert _block_of(second.text) == _block_of(first.text)
    assert second.text != first.text


@pytest.mark.parametrize("channel", ["web", "sms"])
@pytest.mark.parametrize("intent", list(Emergency))
def test_the_message_right_after_an_emergency_gets_the_block_again(
    registry, knowledge, intent, channel
):
    # Given an emergency message answered with its block
    pipeline = _pipeline(registry, knowledge, MemoryConversations(), None)
    first = _ask(pipeline, MESSAGES[intent], channel)[-1].result

    # When the tenant goes on without naming the danger again
    after = _ask(pipeline, "j'ai fait ce que vous avez dit, et maintenant ?", channel)[-1].result

    # Then the block comes first again: they are still in it
    assert first is not None and after is not None
    assert after.emergencies == [intent.value]
    assert _block_of(after.text) == _block_of(first.text)


@pytest.mark.parametrize("text", ["merci", "ok", "sinon, autre question : le loyer c'est quand ?"])
def test_thanks_or_another_subject_after_an_emergency_get_no_block(registry, knowledge, text):
    pipeline = _pipeline(registry, knowledge, MemoryConversations(), None)
    _ask(pipeline, MESSAGES[Emergency.GAS], "web")

    after = _ask(pipeline, text, "web")[-1].result

    assert after is not None and after.emergencies == []


def test_two_messages_after_an_emergency_the_block_is_not_carried(registry, knowledge):
    # Given an emergency, then a message going on with it (the block again)
    pipeline = _pipeline(registry, knowledge, MemoryConversations(), None)
    _ask(pipeline, MESSAGES[Emergency.GAS], "web")
    _ask(pipeline, "c'est fait, et après ?", "web")

    # When a third message says nothing of it
    later = _ask(pipeline, "combien de temps de préavis pour partir ?", "web")[-1].result

    # Then it is answered on its own subject, without the block
    assert later is not None and later.emergencies == []
