"""GSM 03.38 (GSM-7) versus UCS-2: which alphabet a text needs and how many units it costs.

A GSM-7 character costs one septet, except the extension table (``^{}\\[~]|€`` and form
feed) which costs two (escape + character). UCS-2 counts UTF-16 code units, so a character
outside the BMP (most emoji) costs two.

A landlord writes to its tenants: a letter GSM-7 lacks (ê, ç, ô, œ…) makes the message UCS-2,
spelled as written, unless the landlord chose to fold accents to save parts
(``sms.fold_accents``). Typography GSM-7 lacks (curly quotes, dashes, non-breaking spaces) is
always replaced: that never changes a letter.
"""

from __future__ import annotations

from enum import StrEnum

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

# Typography an answer often carries but GSM-7 lacks; replacing it never changes a letter.
_TYPOGRAPHY = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u2026": "...", "\u2022": "-", "\u00b7": "-",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\u2002": " ", "\u2003": " ",
    "\u200b": "", "\ufeff": "",
    "\t": " ",
}  # fmt: skip

# Accented Latin letters GSM-7 lacks, folded to their base letter for a landlord that chose
# cost over spelling, and only when that makes the whole text GSM-7 (a French answer then
# costs 153 characters per part instead of 67, but reads "Coté", "etre", "abimés").
_ACCENTS = {
    "â": "a", "á": "a", "ã": "a", "ê": "e", "ë": "e", "î": "i", "ï": "i", "í": "i",
    "ô": "o", "ó": "o", "õ": "o", "û": "u", "ú": "u", "ÿ": "y", "ç": "c",
    "À": "A", "Â": "A", "Á": "A", "È": "E", "Ê": "E", "Ë": "E", "Î": "I", "Ï": "I",
    "Ô": "O", "Ù": "U", "Û": "U", "Ÿ": "Y", "œ": "oe", "Œ": "OE",
}  # fmt: skip


class Encoding(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


SINGLE_LIMIT = {Encoding.GSM7: 160, Encoding.UCS2: 70}
"""Units in a message sent as one SMS."""
PART_LIMIT = {Encoding.GSM7: 153, Encoding.UCS2: 67}
"""Units in each part once a message needs several (the rest is the concatenation header)."""


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def encoding_of(text: str) -> Encoding:
    return Encoding.GSM7 if is_gsm7(text) else Encoding.UCS2


def char_cost(char: str, encoding: Encoding) -> int:
    if encoding is Encoding.GSM7:
        return 2 if char in GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def cost(text: str, encoding: Encoding) -> int:
    """Units ``text`` occupies in an SMS of that encoding."""
    return sum(char_cost(c, encoding) for c in text)


def normalise_for_sms(text: str, fold_accents: bool = False) -> str:
    """Replace typography GSM-7 lacks; with ``fold_accents``, fold accents too if that makes
    the text GSM-7.

    By default every letter is kept: a letter GSM-7 lacks makes the text UCS-2. Text that
    needs UCS-2 anyway (Arabic, emoji, Cyrillic…) keeps its accents even when folding.
    """
    text = "".join(_TYPOGRAPHY.get(c, c) for c in text)
    if is_gsm7(text) or not fold_accents:
        return text
    folded = "".join(_ACCENTS.get(c, c) for c in text)
    return folded if is_gsm7(folded) else text
