"""CM inbound payloads: validation, message ids, kinds (STOP / empty / question), clipping."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pierre_rag.phones import InvalidPhoneNumberError, normalise_phone
from pierre_rag.sms.inbound import CmInbound, InboundKind, classify, clip
from pierre_rag.sms.routing import landlord_for, read_routes
from tests.helpers import load_event
from tests.unit.sms.support import LANDLORD, LANDLORDS_DIR


def test_the_documented_cm_payload_validates():
    inbound = CmInbound.model_validate(load_event("cm_inbound_question"))

    assert inbound.sender.number == "+33612345678"
    assert inbound.recipient.number == "0033199000042"
    assert inbound.channel == "SMS"
    assert inbound.time_utc.tzinfo is not None


def test_the_message_id_is_stable_across_retries_and_differs_per_message():
    first = CmInbound.model_validate(load_event("cm_inbound_question"))
    retry = CmInbound.model_validate(load_event("cm_inbound_question"))
    later = load_event("cm_inbound_question")
    later["timeUtc"] = "2026-11-25T14:09:00"

    assert first.message_id == retry.message_id
    assert first.message_id != CmInbound.model_validate(later).message_id
    assert len(first.message_id) <= 100


def test_a_payload_without_sender_is_rejected():
    payload = load_event("cm_inbound_question")
    del payload["from"]

    with pytest.raises(ValidationError):
        CmInbound.model_validate(payload)


@pytest.mark.parametrize(
    "text",
    ["STOP", "stop", "Stop !", "STOP SMS", "stop sms.", "ARRET", "Arrêt", "arrêter",
     "DESABONNEMENT", "Désabonnement", "désinscription", "unsubscribe", " stop\n"],
)  # fmt: skip
def test_stop_keywords_are_opt_outs(text):
    assert classify(text) is InboundKind.STOP


@pytest.mark.parametrize(
    "text", ["stop le bruit de mes voisins", "Arrêt de bus devant la résidence ?", "STOPPER"]
)
def test_a_question_containing_a_stop_word_is_a_question(text):
    assert classify(text) is InboundKind.QUESTION


@pytest.mark.parametrize("text", [None, "", "   ", "\n"])
def test_empty_or_media_only_messages_ask_for_text(text):
    assert classify(text) is InboundKind.EMPTY


def test_long_messages_are_clipped_between_words():
    text = "mot " * 400

    clipped, truncated = clip(text, 1000)

    assert truncated and len(clipped) <= 1000
    assert clipped.split() == ["mot"] * len(clipped.split())


def test_short_messages_are_not_clipped():
    assert clip("  Bonjour  ") == ("Bonjour", False)


@pytest.mark.parametrize(
    "number", ["+33199000042", "0033199000042", "33199000042", "01 99 00 00 42"]
)
def test_landlord_numbers_route_in_every_cm_format(number):
    assert landlord_for(number, read_routes(LANDLORDS_DIR)) == LANDLORD


def test_an_unknown_number_routes_nowhere():
    assert landlord_for("+33199999999", read_routes(LANDLORDS_DIR)) is None
    assert landlord_for("not a number", read_routes(LANDLORDS_DIR)) is None


@pytest.mark.parametrize(
    "number",
    [
        "+٣٣٦١٢٣٤٥٦٧٨",  # Arabic-Indic
        "+３３６１２３４５６７８",  # fullwidth
        "０６１２３４５６７８",
    ],
)
def test_numbers_in_other_scripts_digits_are_not_phone_numbers(number):
    # ``\d`` matched them: one person could then have two keyed hashes (and two STOPs)
    with pytest.raises(InvalidPhoneNumberError):
        normalise_phone(number)
