"""The project's knowledge answers tenants the way they write (slow: the real model over
``knowledge/``). The heating article spoke of savings and temperatures only, so "mon
radiateur ne chauffe plus" was answered with the recommended 19 °C; and short messages
("besoin d'une quittance", "ils vont m'expulser ?") got "nothing found" or were refused as
off-topic, the dense model finding them close to nothing."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest

from pierre_rag.channel import Channel
from pierre_rag.knowledge.build import build_datastore
from pierre_rag.knowledge.embeddings import UseEmbedder
from pierre_rag.knowledge.models import AccessLevel, SearchResult
from pierre_rag.knowledge.search import KnowledgeBase
from pierre_rag.landlords import LandlordRegistry
from pierre_rag.pipeline import AnswerResult, Outcome, Pipeline, TurnRequest
from pierre_rag.storage.memory import MemoryConversations
from tests.helpers import REPO_ROOT, tenant_turn

BREAKDOWNS = ("ne marche plus", "panne")


@pytest.fixture(scope="module")
def project_knowledge(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    embedder = UseEmbedder(threads=1)
    out: Path = tmp_path_factory.mktemp("project-kb") / "datastore.sqlite"
    build_datastore([REPO_ROOT / "knowledge" / "commun"], out, embedder, community_only=True)
    return KnowledgeBase.open(out, embedder)


ARREARS = ("payer mon loyer ce mois-ci", "retard", "impayé")
HOSTING = ("héberg", "vivent chez moi")


@pytest.mark.parametrize(
    ("message", "heading_words"),
    [
        # a heating breakdown, not savings or temperatures
        ("Mon radiateur ne chauffe plus depuis hier", BREAKDOWNS),
        ("mon chauffage ne marche plus", BREAKDOWNS),
        ("plus de chauffage depuis ce matin", BREAKDOWNS),
        # not managing to pay: paying late or not at all, not when or how to pay
        ("j'ai perdu mon emploi, je n'arrive plus à payer le loyer", ARREARS),
        ("j'ai du mal à payer mon loyer en ce moment", ARREARS),
        ("je n'ai plus les moyens de payer le loyer", ARREARS),
        # someone coming to live with the tenant: hosting, not buying the home nor Visale
        ("mon fils de 19 ans veut vivre avec moi", HOSTING),
        ("ma mère va venir vivre chez moi", HOSTING),
    ],
)
def test_the_first_section_found_is_about_what_the_tenant_means(
    project_knowledge: KnowledgeBase, message: str, heading_words: tuple[str, ...]
) -> None:
    # When a tenant says it in their own words
    first = _first_found(project_knowledge, message)

    # Then the first section found is headed by what they mean
    heading = first.heading_path[-1].lower()
    assert any(word in heading for word in heading_words), heading


@pytest.mark.parametrize(
    "message",
    [
        "comment je fais pour avoir une place de parking ?",
        "je veux rendre mon garage mais garder l'appartement",
        "une voiture est garée sur ma place de parking, que faire ?",
    ],
)
def test_parking_questions_find_the_parking_article(
    project_knowledge: KnowledgeBase, message: str
) -> None:
    # When a tenant asks about a parking space or a garage (the rent's article was quoted)
    first = _first_found(project_knowledge, message)

    # Then the first section found is the parking article's
    assert first.file == "parking-et-garage.md"


@pytest.fixture(scope="module")
def pipeline(project_knowledge: KnowledgeBase) -> Pipeline:
    registry = LandlordRegistry.from_directory(REPO_ROOT / "knowledge")
    return Pipeline(registry, project_knowledge, MemoryConversations(), llm_for=lambda _: None)


@pytest.mark.parametrize(
    ("message", "heading"),
    [
        ("besoin d'une quittance", "Comment obtenir une quittance de loyer ?"),
        ("plan d'apurement", "Qu'est-ce qu'un plan d'apurement ?"),
        ("ça veut dire quoi ESH", "Que veulent dire « OPH » et « ESH » ?"),
        ("c'est quoi la cotation", "Qu'est-ce que la cotation de ma demande ?"),
    ],
)
def test_a_short_message_is_answered_from_the_section_its_word_heads(
    pipeline: Pipeline, message: str, heading: str
) -> None:
    # When a tenant names only what they need, in a few words
    result = asyncio.run(pipeline.answer(_request(message)))

    # Then it is answered from the section that word heads: not refused, not "nothing found"
    assert result.outcome is Outcome.ANSWERED
    assert heading in {source.heading for source in result.sources}


def test_a_tenant_afraid_of_eviction_is_answered_not_refused(pipeline: Pipeline) -> None:
    result = asyncio.run(pipeline.answer(_request("ils vont m'expulser ?")))

    # Then it is answered, the article on unpaid rent and eviction among its sources
    assert result.outcome is Outcome.ANSWERED
    assert "impayes-de-loyer.md" in {source.file for source in result.sources}


@pytest.mark.parametrize("message", ["c'est quoi le SIAO ?", "le siao ça sert à quoi"])
def test_an_acronym_the_knowledge_spells_out_is_answered_not_refused(
    pipeline: Pipeline, message: str
) -> None:
    # Given SIAO, spelled out once in the knowledge but heading no section
    result = asyncio.run(pipeline.answer(_request(message)))

    # Then it is answered, not refused as off-topic, from the sentence that names it (the
    # section's opening, on social residences, did not)
    assert result.outcome is Outcome.ANSWERED
    assert "SIAO" in result.text


KEYS = "J'ai perdu mes clés ou mon badge, ou je suis bloqué dehors : que faire ?"
WINDOW = "Ma fenêtre ou ma porte ne ferme plus : qui doit la réparer ?"
MAILBOX = "Ma boîte aux lettres est abîmée ou a été forcée : que faire ?"


@pytest.mark.parametrize(
    ("message", "heading"),
    [
        # lost keys: the English question was refused as off-topic
        ("j'ai perdu mes clés", KEYS),
        ("j'ai perdu mon badge de l'immeuble", KEYS),
        ("I lost my keys, what should I do?", KEYS),
        ("Perdí mis llaves, ¿qué hago?", KEYS),
        # a window: "nothing found"
        ("ma fenêtre ne ferme plus", WINDOW),
        # life in the residence: each quoted another article's section
        (
            "l'interphone ne marche plus depuis une semaine",
            "L'interphone, le digicode ou l'éclairage du hall ne marchent plus : que faire ?",
        ),
        (
            "est-ce que je peux installer une parabole sur mon balcon ?",
            "Puis-je installer une antenne parabolique sur mon balcon ?",
        ),
        (
            "qui doit installer le détecteur de fumée ?",
            "Qui doit installer et entretenir le détecteur de fumée ?",
        ),
        ("où je jette mes encombrants ?", "Où dois-je déposer mes encombrants ?"),
        ("on a cambriolé ma cave", "Ma cave ou mon box a été cambriolé : que faire ?"),
        # a mailbox: the letter for a notice in a high-demand area was quoted
        ("ma boîte aux lettres a été forcée", MAILBOX),
        ("ma boite aux lettres est cassée", MAILBOX),
        # giving notice in the words of the law: the home insurance's cancellation was quoted
        ("je voudrais savoir comment résilier mon bail", "Comment envoyer mon préavis ?"),
    ],
)
def test_a_question_the_knowledge_lacked_is_answered_from_the_section_written_for_it(
    pipeline: Pipeline, message: str, heading: str
) -> None:
    # When a tenant asks what the knowledge had no section on before this one was written
    result = asyncio.run(pipeline.answer(_request(message)))

    # Then that section is quoted
    assert result.outcome is Outcome.ANSWERED
    assert _quoted(result) == [heading]


def test_another_subject_announced_after_thanks_leaves_the_previous_one(pipeline: Pipeline) -> None:
    # Given a question on dogs, answered
    conversation = str(uuid.uuid4())
    asyncio.run(pipeline.answer(_request("je peux avoir un chien ?", conversation)))

    # When the tenant thanks and announces another subject in the same message
    result = asyncio.run(
        pipeline.answer(_request("ok merci. autre chose, ma fenêtre ne ferme plus", conversation))
    )

    # Then the window is answered, not the animals' rules (which name windows once)
    assert _quoted(result) == [WINDOW]


@pytest.mark.parametrize("channel", ["web", "sms"])
def test_a_tenant_going_on_after_a_gas_smell_gets_the_block_and_the_next_steps(
    pipeline: Pipeline, channel: Channel
) -> None:
    # Given a gas smell, answered with the block and the first steps of the gas section
    conversation = str(uuid.uuid4())
    first = asyncio.run(
        pipeline.answer(_request("ça sent le gaz dans ma cuisine", conversation, channel))
    )

    # When the tenant goes on, naming only what they did
    after = asyncio.run(
        pipeline.answer(
            _request("j'ai ouvert les fenêtres, et maintenant ?", conversation, channel)
        )
    )

    # Then the block comes first again, then the gas section from the step they named on
    assert after.emergencies == first.emergencies == ["gas"]
    assert after.sources[0].heading == first.sources[0].heading
    assert "ouvrez les fenêtres" in after.text
    assert after.text != first.text


@pytest.mark.parametrize("channel", ["web", "sms"])
def test_a_question_after_a_detail_is_answered_on_the_subject_before_it(
    pipeline: Pipeline, channel: Channel
) -> None:
    # Given bedbugs, then a detail that names no subject of its own
    conversation = str(uuid.uuid4())
    for text in ("j'ai des punaises de lit", "depuis deux semaines"):
        asyncio.run(pipeline.answer(_request(text, conversation, channel)))

    # When the tenant asks who pays, naming only the treatment
    result = asyncio.run(
        pipeline.answer(_request("qui paie le traitement ?", conversation, channel))
    )

    # Then it is answered on the bedbugs' treatment: not refused as off-topic
    assert result.outcome is Outcome.ANSWERED
    assert result.sources[0].heading == (
        "Qui paie le traitement contre les punaises de lit ou les cafards ?"
    )


def _quoted(result: AnswerResult) -> list[str]:
    """The headings of the sections the answer quotes."""
    return [result.sources[number - 1].heading for number in result.quoted]


def _first_found(knowledge: KnowledgeBase, message: str) -> SearchResult:
    """The first section the community knowledge finds for ``message``."""
    return knowledge.search(message, k=6, access=(AccessLevel.COMMUNITY,)).results[0]


def _request(text: str, conversation: str | None = None, channel: Channel = "web") -> TurnRequest:
    return tenant_turn("pierre-habitat.fr", text, channel, conversation)
