"""Each channel's style: markup, the human contact, and one style for every channel."""

from __future__ import annotations

from typing import get_args

from pierre_rag.channel import Channel
from pierre_rag.landlords import ContextConfig, Handoff
from pierre_rag.pipeline.channels import CHANNELS, SMS, WEB

MARKDOWN = "**Important** : voir [le site](https://exemple.fr) et [l'article](autre.md) [1]."
HANDOFF = Handoff(
    label="Agence Exemple",
    phone="01 99 00 00 00",
    hours="du lundi au vendredi",
    url="https://exemple.fr/contact",
)


def test_every_channel_a_request_can_name_has_its_style():
    # Given the channels a TurnRequest accepts
    channels = set(get_args(Channel))

    # When the styles are looked up, then each has one, which says it is for that channel
    assert set(CHANNELS) == channels
    assert all(CHANNELS[channel].channel == channel for channel in channels)


def test_a_fixed_reply_is_plain_text_by_sms_and_markdown_on_the_web():
    # Given a reply written in Markdown, with a citation
    # When each channel writes it
    web, sms = WEB.fixed_reply(MARKDOWN), SMS.fixed_reply(MARKDOWN)

    # Then the web keeps it as is; the SMS has no markup, readable links and no citation
    assert web == MARKDOWN
    assert sms == "Important : voir le site (https://exemple.fr) et l'article."


def test_an_sms_llm_answer_keeps_its_citations():
    # Given an LLM answer citing its source
    # When the SMS style writes it
    text = SMS.llm_answer("**Un mois** [1]")

    # Then the markup goes and the citation stays (it points at a numbered source)
    assert text == "Un mois [1]"
    assert WEB.llm_answer("**Un mois** [1]") == "**Un mois** [1]"
    assert WEB.streams_pieces and not SMS.streams_pieces


def test_the_contact_is_who_and_which_number_by_sms_and_complete_on_the_web():
    # Given a context with a human contact, and one without
    context = ContextConfig(handoff=HANDOFF)

    # When each channel writes the contact
    web, sms = WEB.contact(context), SMS.contact(context)

    # Then the SMS says who and which number only; the web adds the hours and the site
    assert sms == "Agence Exemple, 01 99 00 00 00"
    assert web == (
        "Agence Exemple — tél. 01 99 00 00 00 — du lundi au vendredi — https://exemple.fr/contact"
    )
    assert WEB.contact(ContextConfig()) is None and SMS.contact(ContextConfig()) is None
