"""A small, dependency-free language guess: script first, then function words."""

from __future__ import annotations

import re
import unicodedata

_SCRIPTS: list[tuple[str, re.Pattern[str]]] = [
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
]

# Frequent function words, folded (no accents). French also gets tenants' SMS spellings.
_WORDS: dict[str, frozenset[str]] = {
    "fr": frozenset(
        "le la les un une des du de et est je j tu il elle nous vous ils on mon ma mes ce cette "
        "pour pas que qui quoi dans avec sur mais ou au aux suis ai avez peux puis dois comment "
        "pourquoi quand combien bonjour bjr slt stp svp merci jveu jsuis chui c ke koi pk logement "
        "loyer bail appart proprio bailleur".split()
    ),
    "en": frozenset(
        "the a an and is are i you he she we they my your this that for not what who how why "
        "when can could should would do does did have has with on in of to it me rent landlord "
        "flat apartment housing please hello hi thanks".split()
    ),
    "es": frozenset(
        "el la los las un una y es son yo tu usted mi mis que quien como por para pero con del "
        "al esta este puedo tengo hola gracias alquiler piso vivienda cuanto donde".split()
    ),
    "pt": frozenset(
        "o a os as um uma e eu voce meu minha que quem como por para mas com do da no na nao "
        "posso tenho ola obrigado aluguel casa moradia quanto onde".split()
    ),
    "it": frozenset(
        "il lo la gli le un una e sono io tu lei mio mia che chi come per ma con del della non "
        "posso ho ciao grazie affitto casa quanto dove".split()
    ),
    "de": frozenset(
        "der die das ein eine und ist sind ich du sie wir mein meine was wer wie warum fur nicht "
        "mit auf kann habe hallo danke miete wohnung vermieter".split()
    ),
    "tr": frozenset(
        "ve bir bu ne nasil neden icin ile ben sen biz benim mi mu var yok evet hayir merhaba "
        "tesekkurler kira ev ev sahibi yapmak istiyorum gerekiyor".split()
    ),
    "ro": frozenset(
        "si este sunt eu tu el ea noi voi ce cine cum pentru nu cu din la pot am buna multumesc "
        "chirie locuinta".split()
    ),
}

_TOKEN = re.compile(r"[a-z]+")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def guess_language(text: str, default: str = "fr") -> str:
    """ISO 639-1 code of ``text``; ``default`` when nothing stands out (short or mixed)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return default
    for code, pattern in _SCRIPTS:
        if len(pattern.findall(text)) >= max(2, len(letters) // 4):
            return code
    tokens = _TOKEN.findall(fold(text))
    if not tokens:
        return default
    scores = {code: sum(token in words for token in tokens) for code, words in _WORDS.items()}
    best = max(scores, key=lambda code: (scores[code], code == default))
    if scores[best] == 0 or scores[best] <= scores.get(default, 0):
        return default
    return best
