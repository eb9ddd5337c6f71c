"""One focused passage for an extractive answer: a section's text cut to a word budget.

The text loses what does not answer — an introduction about the page itself, reference
lists — and keeps, within the budget, the list that a lead-in ("… suivants :",
"ci-dessous :") announces, rather than stopping before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_SENTENCE_WORDS = 6  # a paragraph is cut to fit only when this many words are left
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*)$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_REFERENCES = re.compile(
    r"^(notes?( et références)?|références|sources?|voir aussi|liens? (externes?|utiles)|"
    r"bibliographie|pour aller plus loin)\s*:?$",
    re.IGNORECASE,
)
# A paragraph about the page rather than the subject: "Cet article présente…", "Vous trouverez
# ci-dessous…", "Voici les informations…".
_META = re.compile(
    r"^(cet(te)? (article|page|fiche|rubrique)|sur cette page|dans (cet(te)? )?"
    r"(article|page|fiche|rubrique)|vous trouverez (ici|ci-dessous|sur cette)|"
    r"retrouvez (ici|ci-dessous|sur cette)|voici (les|quelques) (informations|réponses))",
    re.IGNORECASE,
)
# A sentence about the page inside a paragraph that says something else: "Pour obtenir un HLM,
# il faut d'abord déposer une demande unique. Cet article explique qui peut la faire…".
_PAGE_SENTENCE = re.compile(
    r"^(cet(te)? (article|page|fiche|rubrique|guide)|sur cette (page|fiche)|dans (cet(te)? )?"
    r"(article|page|fiche|rubrique|guide))\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_EMPHASIS = ("**", "__")
# A lead-in that announces a list: "… listés ci-dessous", "les cas suivants", "ces moyens :".
_POINTER = re.compile(r"ci-dessous|suivant(e)?s\b|:\s*$", re.IGNORECASE | re.MULTILINE)


def points_to_list(text: str) -> bool:
    return bool(_POINTER.search(text))


def has_list(text: str) -> bool:
    return any(_LIST_ITEM.match(line) for line in text.splitlines())


@dataclass(frozen=True)
class _Block:
    text: str
    kind: str  # "paragraph", "item" or "heading"

    @property
    def words(self) -> int:
        return len(self.text.split())


def _blocks(text: str) -> list[_Block]:
    """Paragraphs, list items and sub-headings, without reference sections."""
    blocks: list[_Block] = []
    in_references = False
    paragraph: list[str] = []

    def close() -> None:
        if paragraph:
            blocks.append(_Block(" ".join(paragraph), "paragraph"))
            paragraph.clear()

    for line in text.splitlines():
        stripped = line.strip()
        heading = _HEADING.match(line)
        if heading or not stripped or _LIST_ITEM.match(line):
            close()
        if heading:
            in_references = bool(_REFERENCES.match(heading.group(2).strip("*_ ")))
            if not in_references:
                blocks.append(_Block(heading.group(2).strip(), "heading"))
        elif in_references or not stripped:
            continue
        elif _REFERENCES.match(stripped.strip("*_ ")):
            in_references = True
        elif _LIST_ITEM.match(line):
            blocks.append(_Block(stripped, "item"))
        else:
            paragraph.append(stripped)
    close()
    return _without_meta(blocks)


def _without_meta(blocks: list[_Block]) -> list[_Block]:
    """Drops an opening paragraph about the page itself, when something follows it, and the
    sentences about the page inside the other paragraphs (not a lead-in to a list)."""
    if len(blocks) > 1 and blocks[0].kind == "paragraph" and _META.match(blocks[0].text):
        blocks = blocks[1:]
    return [_without_page_sentences(block) for block in blocks]


def _without_page_sentences(block: _Block) -> _Block:
    if block.kind != "paragraph":
        return block
    sentences = _SENTENCE_END.split(block.text)
    kept = [
        sentence
        for sentence in sentences
        if not _PAGE_SENTENCE.match(sentence) or sentence.rstrip().endswith(":")
    ]
    return _Block(" ".join(kept), "paragraph") if kept and len(kept) < len(sentences) else block


def _first_words(text: str, budget: int) -> str:
    """Whole sentences of ``text`` within ``budget`` words, then, when at least
    ``MIN_SENTENCE_WORDS`` are left, the first words of the next one and "…" (a short
    opening such as "Non, en principe." says little without the sentence that explains it);
    without a whole sentence, its first words and "…"."""
    kept: list[str] = []
    sentences = _SENTENCE_END.split(text)
    for sentence in sentences:
        if len(" ".join([*kept, sentence]).split()) > budget:
            break
        kept.append(sentence)
    room = budget - len(" ".join(kept).split())
    if len(kept) == len(sentences) or (kept and room < MIN_SENTENCE_WORDS):
        return _closed(" ".join(kept))
    start = " ".join(sentences[len(kept)].split()[:room]).rstrip(",;:")
    return _closed(" ".join([*kept, start])) + "…"


def _closed(text: str) -> str:
    """``text`` with the bold it opened and the cut left open closed again: unclosed, the
    chat shows its asterisks and so does an SMS, whose plain text keeps unpaired ones."""
    for marker in _EMPHASIS:
        if text.count(marker) % 2:
            text = text.rstrip() + marker
    return text


def focused_passage(text: str, max_words: int) -> list[tuple[str, str]]:
    """The section's blocks (kind, text) that fit in ``max_words``, in order.

    A list is never left behind by its lead-in: when the budget ends inside it, the items
    that fit are kept, then the first words of the next one, and the cut is marked with "…".
    Without room for any of its items, the lead-in is left out: an SMS quoted "L'attente
    dépend surtout :" then "- …" alone."""
    kept = _fitting_blocks(text, max_words, cut_items=True)
    return [(block.kind, block.text) for block in kept]


def _fitting_blocks(text: str, max_words: int, *, cut_items: bool) -> list[_Block]:
    """The blocks within ``max_words``; ``cut_items``: a list item cut to the room left, and
    "- …" only after an item kept (else "- …" after anything kept)."""
    kept: list[_Block] = []
    used = 0
    for block in _blocks(text):
        if used + block.words <= max_words:
            kept.append(block)
            used += block.words
            continue
        room = max_words - used
        if block.kind == "paragraph" and room >= MIN_SENTENCE_WORDS:
            kept.append(_Block(_first_words(block.text, room), "paragraph"))
        elif block.kind == "item" and kept and cut_items and room >= MIN_SENTENCE_WORDS:
            kept.append(_Block(_first_words(block.text, room), "item"))
        elif block.kind == "item" and kept and (kept[-1].kind == "item" or not cut_items):
            kept.append(_Block("- …", "item"))
        break
    while kept and (kept[-1].kind == "heading" or kept[-1].text.endswith(":")):
        # a heading or a lead-in with nothing after it says nothing; the sentences before the
        # lead-in in its paragraph do
        last = kept.pop()
        before = _SENTENCE_END.split(last.text)[:-1] if last.kind == "paragraph" else []
        if before:
            kept.append(_Block(" ".join(before), "paragraph"))
    return kept


def has_quotable_text(text: str, min_words: int) -> bool:
    """Whether ``text`` has a passage of ``min_words`` to quote past the sub-headings that
    open it: their words do not count, or a short article made one chunk under its title (a
    Word file's title, one sub-heading, one paragraph) would never be quoted."""
    blocks = _blocks(text)
    opening = next((i for i, block in enumerate(blocks) if block.kind != "heading"), len(blocks))
    # A lead-in whose list follows counts, whatever room the list would have.
    budget = sum(b.words for b in blocks[:opening]) + min_words
    return bool(_fitting_blocks(text, budget, cut_items=False))
