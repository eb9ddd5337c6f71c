"""The user's language: script, short replies, French SMS words, then a statistical model.

French is the language of the knowledge and of most tenants, so another language must be
clear, and a message that shows nothing stays French:

1. no letters: French; a script only one candidate writes (Arabic, Cyrillic…): that language;
2. only greetings, thanks, yes, no, please, help, ok — a closed class the model cannot tell
   from a few letters ("hola", "danke", "obrigado"): the language of those words, French when
   French has them too ("ok", "non");
3. a word only French SMS writes ("jsuis", "koi", "tkt", "c" for "c'est"), or "tu es" /
   "t'es" (the issue's "Tu es nul", taken for Spanish): French;
4. any other single word ("parking", "hein"): French;
5. else py3langid, a maintained Naive Bayes detector, restricted to the eight UI languages
   (``pipeline.language_model``): another language only when it is at least
   ``_MARGIN`` more probable than French.

``infra/bench_language.py`` measures it (2026-11-30), tuned on ``tests/bench/languages.jsonl``
only (98.7 %, no French lost): 97.6 % on ``languages.eval.jsonl``, 327 messages written before
any detector ran on them, with 1 of 152 French messages taken for Italian (the hand-written
word lists this replaces: 92.0 %; py3langid alone: 94.5 %, 5 French lost). Why this detector:
docs/adr/0009-language-guess-py3langid-cut-to-eight-languages.md.
"""

from __future__ import annotations

import re
import unicodedata

from pierre_rag.pipeline import language_model

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
_UKRAINIAN_LETTERS = re.compile(r"[іїєґІЇЄҐ]")

# Greetings, thanks, yes, no, please, help, goodbye and "ok" in each language, folded. A
# message made only of these is in the language that has them all (French first).
_SHORT_REPLIES: dict[str, frozenset[str]] = {
    code: frozenset(words.split())
    for code, words in {
        "fr": "bonjour salut coucou bonsoir merci beaucoup oui non stp svp sil vous plait aide "
        "au revoir ok okay daccord d accord",
        "en": "hello hi hey good morning evening afternoon thanks thank you very much thx ty "
        "cheers yes no please pls plz help bye goodbye ok okay alright",
        "es": "hola buenas buenos dias tardes noches gracias muchas si no por favor porfa ayuda "
        "adios vale",
        "pt": "ola oi bom boa dia tarde noite obrigado obrigada muito sim nao por favor ajuda "
        "tchau adeus ta bom",
        "it": "ciao buongiorno buonasera salve grazie mille si no per favore aiuto arrivederci "
        "va bene",
        "de": "hallo guten tag morgen abend danke schon vielen dank ja nein bitte hilfe tschuss "
        "alles klar",
        "tr": "merhaba merhabalar selam gunaydin iyi aksamlar tesekkurler tesekkur ederim cok "
        "sagol evet hayir lutfen yardim hosca kal tamam",
    }.items()
}
# Spellings only French SMS has (not "t", "c", "ya", "pq", "ke", "ki": other languages write
# them too).
_FRENCH_SMS = frozenset(
    "jsuis chui jpeu jpeux jveux jveu jfais jsp tkt koi jai bjr slt mrc dsl svp stp mdr ptn "
    "wesh bcp".split()
)
# "tu es" / "t'es", and SMS "c" for "c'est" ("c combien", "c normal"; not "c'est", not "C'è")
_FRENCH_PHRASES = re.compile(r"\bt(?:u |['’])es\b|\bc\b(?!['’])")
_MARGIN = 0.35  # tuned on languages.jsonl: 0.3 to 0.4 score the same there
_TOKEN = re.compile(r"[a-z]+")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def writes_in_script(text: str, code: str) -> bool:
    """Whether ``text`` holds a letter of the script of ``code`` ("ar", "ru"…)."""
    return any(pattern.search(text) for found, pattern in _SCRIPTS if found == code)


def _script(text: str, letters: int) -> str | None:
    for code, pattern in _SCRIPTS:
        if len(pattern.findall(text)) >= max(2, letters // 4):
            if code == "ru" and _UKRAINIAN_LETTERS.search(text):
                return "uk"
            return code
    return None


def _short_reply_languages(words: list[str]) -> list[str]:
    """The languages whose short replies hold every word of the message."""
    if not words:
        return []
    return [code for code, replies in _SHORT_REPLIES.items() if replies.issuperset(words)]


def _written_in_french(words: list[str], folded: str) -> bool:
    return any(word in _FRENCH_SMS for word in words) or _FRENCH_PHRASES.search(folded) is not None


def _by_model(text: str, candidates: list[str]) -> str:
    """The model's language when it beats French by ``_MARGIN``, else the most probable of
    ``candidates`` (short replies several languages have, "no", "si"), else French."""
    ranked = language_model.rank(text)
    probability = dict(ranked)
    best, best_probability = ranked[0]
    if best != "fr" and best_probability - probability.get("fr", 0.0) >= _MARGIN:
        return best
    if candidates:
        return max(candidates, key=lambda code: probability.get(code, 0.0))
    return "fr"


def guess_language(text: str) -> str:
    """ISO 639-1 code of ``text``; French when nothing stands out (short, mixed, unsure)."""
    letters = sum(c.isalpha() for c in text)
    if not letters:
        return "fr"
    script = _script(text, letters)
    if script:
        return script
    folded = fold(text).replace("ı", "i")
    words = _TOKEN.findall(folded)
    candidates = _short_reply_languages(words)
    if "fr" in candidates:
        return "fr"
    if len(candidates) == 1:
        return candidates[0]
    if _written_in_french(words, folded) or (len(words) <= 1 and not candidates):
        return "fr"
    return _by_model(text, candidates)
