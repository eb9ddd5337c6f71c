"""SMS encoding and splitting: limits, boundaries, markers, UCS-2 switch (hypothesis)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pierre_rag.sms.encoding import (
    PART_LIMIT,
    SINGLE_LIMIT,
    Encoding,
    cost,
    encoding_of,
    normalise_for_sms,
)
from pierre_rag.sms.splitting import MAX_PARTS, split_sms

MARKER = re.compile(r"^\((\d)/(\d)\) ")

gsm_words = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzéèàù0123456789,'€[]", min_size=1, max_size=12
)
urls = st.builds(
    lambda host, path: f"https://{host}.fr/{path}",
    st.text(alphabet="abcdefghij", min_size=3, max_size=12),
    st.text(alphabet="abcdefghij/-_0123456789", min_size=0, max_size=40),
)
endings = st.sampled_from(["", "", "", ".", ",", "!", "?", ":"])
separators = st.sampled_from([" ", " ", " ", "\n", "  ", "\n\n"])
tokens = st.one_of(gsm_words, gsm_words, gsm_words, urls)
ucs2_words = st.text(alphabet="مرحباكيفالحالشكرا😀🏠", min_size=1, max_size=10)


def _text(draw_tokens: list[tuple[str, str, str]]) -> str:
    return "".join(word + end + sep for word, end, sep in draw_tokens).strip()


texts = st.lists(st.tuples(tokens, endings, separators), min_size=1, max_size=250).map(_text)
ucs2_texts = st.lists(
    st.tuples(st.one_of(ucs2_words, gsm_words), endings, separators), min_size=1, max_size=120
).map(_text)


def _bodies(parts: tuple[str, ...]) -> list[str]:
    if len(parts) == 1:
        return list(parts)
    return [MARKER.sub("", part, count=1) for part in parts]


def _check_limits(text: str) -> None:
    split = split_sms(text)
    assert split.encoding is encoding_of("".join(split.parts))
    assert 1 <= len(split.parts) <= MAX_PARTS
    if len(split.parts) == 1:
        assert cost(split.parts[0], split.encoding) <= SINGLE_LIMIT[split.encoding]
        assert not MARKER.match(split.parts[0])
    else:
        for index, part in enumerate(split.parts, start=1):
            assert cost(part, split.encoding) <= PART_LIMIT[split.encoding]
            assert part.startswith(f"({index}/{len(split.parts)}) ")


@settings(max_examples=200, deadline=None)
@given(texts)
def test_parts_fit_their_encoding_limits_and_carry_markers_only_when_split(text):
    _check_limits(text)


@settings(max_examples=100, deadline=None)
@given(ucs2_texts)
def test_ucs2_parts_fit_the_70_67_limits(text):
    _check_limits(text)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_concatenation_gives_back_the_text_modulo_whitespace_and_markers(text):
    split = split_sms(text)
    words = " ".join(_bodies(split.parts)).split()
    expected = normalise_for_sms(text).split()
    if split.truncated:
        assert words[-1] == "..."
        assert words[:-1] == expected[: len(words) - 1]
    else:
        assert words == expected


@settings(max_examples=200, deadline=None)
@given(texts)
def test_no_url_or_word_is_cut(text):
    split = split_sms(text)
    pieces = {w for body in _bodies(split.parts) for w in body.split()}
    for url in re.findall(r"https://\S+", normalise_for_sms(text)):
        if not split.truncated:
            assert url in pieces


def test_a_short_answer_is_one_sms_without_marker():
    split = split_sms("Votre agence est ouverte de 8 h 30 à 17 h 30.")

    assert split.parts == ("Votre agence est ouverte de 8 h 30 à 17 h 30.",)
    assert split.encoding is Encoding.GSM7


def test_exactly_160_gsm_characters_is_one_part_and_161_is_two():
    assert len(split_sms("a" * 150 + " bbbbbbbbb").parts) == 1
    assert len(split_sms("a" * 150 + " bbbbbbbbbb").parts) == 2


def test_extension_characters_count_double():
    # 80 euro signs cost 160 septets: one SMS; one more character and it needs two.
    assert cost("€" * 80, Encoding.GSM7) == 160
    assert len(split_sms("€" * 80).parts) == 1
    assert len(split_sms("€" * 80 + " a").parts) == 2


@pytest.mark.parametrize("text", ["مرحبا، كيف يمكنني دفع الإيجار؟", "Merci 😀", "Привет"])
def test_arabic_emoji_and_cyrillic_switch_to_ucs2(text):
    assert split_sms(text).encoding is Encoding.UCS2


def test_emoji_outside_the_bmp_cost_two_ucs2_units():
    assert cost("😀", Encoding.UCS2) == 2
    assert len(split_sms("😀" * 35).parts) == 1
    assert len(split_sms("😀" * 36).parts) == 2


def test_an_arabic_answer_uses_67_unit_parts():
    text = " ".join(["مرحبا بكم في خدمة الرسائل القصيرة."] * 6)

    split = split_sms(text)

    assert split.encoding is Encoding.UCS2
    assert len(split.parts) > 2
    assert all(cost(p, Encoding.UCS2) <= 67 for p in split.parts)


def test_french_is_spelled_as_written_by_default_and_sent_as_ucs2():
    # Given an answer with letters GSM-7 lacks (ô, ê, î) and typography it lacks
    text = "Côté cuisine, il faut être prudent : les joints abîmés « fuient »…"

    # When it is prepared and split with the default settings
    split = split_sms(text)

    # Then every letter is kept, only the typography is replaced, and it goes as UCS-2
    assert split.parts == ('Côté cuisine, il faut être prudent : les joints abîmés " fuient "...',)
    assert split.encoding is Encoding.UCS2


def test_a_text_gsm7_spells_exactly_stays_gsm7():
    # é è à ù É Ç are GSM-7 letters: nothing to fold, nothing to pay for
    split = split_sms("Le préavis débute à réception. Évitez les retards « inutiles ».")

    assert split.encoding is Encoding.GSM7
    assert split.parts == ('Le préavis débute à réception. Évitez les retards " inutiles ".',)


@pytest.mark.parametrize("letter", list("âêîôûëïÿçœÀÂÈÊÎÔÙÛŒ"))
def test_each_letter_gsm7_lacks_switches_to_ucs2_unless_folding(letter):
    text = f"mot {letter} mot"

    assert split_sms(text).parts == (text,)
    assert split_sms(text).encoding is Encoding.UCS2
    assert split_sms(text, fold_accents=True).encoding is Encoding.GSM7


def test_folding_accents_is_the_landlords_choice_of_cost_over_spelling():
    assert normalise_for_sms("Vous êtes prêt ? Ça coûte « 10 € »…", fold_accents=True) == (
        'Vous etes pret ? Ça coute " 10 € "...'  # Ç is in GSM-7, ç is not
    )
    # Arabic needs UCS-2 anyway: accents stay.
    assert "ê" in normalise_for_sms("Vous êtes مرحبا", fold_accents=True)


def test_folding_accents_saves_parts_on_a_long_french_answer():
    text = " ".join(["Il faut être présent à l'état des lieux, côté entrée."] * 6)

    spelled, folded = split_sms(text), split_sms(text, fold_accents=True)

    assert (spelled.encoding, folded.encoding) == (Encoding.UCS2, Encoding.GSM7)
    assert len(folded.parts) < len(spelled.parts)
    assert "être" in spelled.parts[0] and "etre" in folded.parts[0]


def test_cuts_prefer_sentence_ends():
    sentence = "Le préavis est de trois mois pour un logement vide."
    split = split_sms(" ".join([sentence] * 6))

    assert all(_bodies(split.parts)[i].endswith(".") for i in range(len(split.parts)))


def test_more_than_eight_parts_is_truncated_with_an_ellipsis():
    split = split_sms("mot " * 2000)

    assert len(split.parts) == MAX_PARTS
    assert split.truncated
    assert split.parts[-1].endswith(" ...")
    assert all(cost(p, Encoding.GSM7) <= 153 for p in split.parts)


def test_a_word_longer_than_a_part_is_the_only_thing_ever_cut():
    url = "https://example.fr/" + "x" * 200

    split = split_sms(f"Voir {url} merci")

    words = [w for body in _bodies(split.parts) for w in body.split()]
    assert words[0] == "Voir" and words[-1] == "merci"
    assert "".join(words[1:-1]) == url
    assert all(cost(p, Encoding.GSM7) <= 153 for p in split.parts)


def test_blank_text_gives_no_part():
    assert split_sms("  \n ").parts == ()
