"""Answers without an LLM: one focused passage of the section that answers, and its source.

Honest by construction: the text says it is made of excerpts, and the excerpts are French
(the knowledge's language) whatever the user's language; only the framing is translated.
The passage is as long as the channel's budget allows with the framing and the contact
(:meth:`ChannelStyle.fits`); the web links the article to read more, the SMS has no room.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pierre_rag.pipeline.asked import same_kind_section
from pierre_rag.pipeline.channels import ChannelStyle
from pierre_rag.pipeline.messages import Phrases, phrases
from pierre_rag.pipeline.models import Source
from pierre_rag.pipeline.passage import (
    focused_passage,
    has_list,
    has_quotable_text,
    points_to_list,
)
from pierre_rag.pipeline.pick import WEIGHTS, PickWeights, Signals, best, signals
from pierre_rag.pipeline.retrieve import Grounding
from pierre_rag.pipeline.sibling import named_sibling
from pierre_rag.pipeline.subsection import has_words, named_sub_section, narrowed
from pierre_rag.pipeline.text import markdown_to_plain, without_relative_links

MIN_PASSAGE_WORDS = 6
# Below this, a passage beside the contact and the on-call line says too little: the contact
# is left out (the on-call line is what a tenant with a breakdown out of hours needs).
MIN_WORDS_BESIDE_ON_CALL = 16
_STEP_WORDS = 4


@dataclass(frozen=True)
class Focus:
    """What an extractive answer quotes, and the other articles it offers to read more."""

    quoted: Grounding
    further: Grounding = field(default_factory=Grounding)

    def grounding(self) -> Grounding:
        """The sources the answer shows, numbered: the quoted ones first, then the others."""
        sources = [*self.quoted.sources, *self.further.sources]
        texts = [*self.quoted.texts, *self.further.texts]
        return Grounding(
            [source.model_copy(update={"number": n}) for n, source in enumerate(sources, 1)],
            texts,
        )


def candidates(grounding: Grounding) -> list[int]:
    """The sections an extractive answer may quote, in the search's order: those with
    something to quote, an article's introduction after a section of the same article."""
    return [
        i
        for i in _past_introductions(grounding.sources)
        if has_passage(grounding.sources[i], grounding.texts[i])
    ]


def candidate_signals(grounding: Grounding, order: Sequence[int], question: str) -> list[Signals]:
    """The picking signals of the sections ``order`` names, ranked as listed."""
    return [
        signals(question, grounding.sources[i].heading_path, grounding.texts[i], rank)
        for rank, i in enumerate(order)
    ]


def focus(
    grounding: Grounding,
    question: str,
    *,
    sections: int,
    further: int,
    weights: PickWeights = WEIGHTS,
) -> Focus:
    """The ``sections`` sections to quote — the one that answers ``question`` best
    (:mod:`.pick`) first, then the search's order — with the list that a quoted "ci-dessous"
    points to when another section of that article holds it; and up to ``further`` other
    articles among the search's sections, to read more."""
    order = candidates(grounding)
    if not order:
        return Focus(Grounding())
    # With the rank alone (the shipped weights) the search's first section wins: stemming
    # every candidate's text on each answer would change nothing.
    ranked = candidate_signals(grounding, order, question) if weights.reorders else []
    picked = order[best(ranked, weights)] if ranked else order[0]
    sibling = named_sibling(question, grounding.sources, order, picked)
    if sibling is None:
        sibling = same_kind_section(question, grounding.sources, order, picked)
    picked = picked if sibling is None else sibling
    chosen = [picked, *[i for i in order if i != picked]][:sections]
    for index in list(chosen):
        pointed = _pointed_list(grounding, index, order)
        if pointed is not None and pointed not in chosen:
            chosen.insert(chosen.index(index) + 1, pointed)
    files = {grounding.sources[i].file for i in chosen}
    others: list[int] = []
    for i in order:
        if len(others) < further and grounding.sources[i].file not in files:
            files.add(grounding.sources[i].file)
            others.append(i)
    return Focus(
        _named_sub_sections(_subset(grounding, chosen), question), _subset(grounding, others)
    )


def _named_sub_sections(quoted: Grounding, question: str) -> Grounding:
    """Each quoted section narrowed to the folded sub-section the question names, if one."""
    sources, texts = [], []
    for source, text in zip(quoted.sources, quoted.texts, strict=True):
        heading = named_sub_section(question, source, text)
        if heading is not None:
            sub_source, sub_text = narrowed(source, text, heading)
            if has_words(sub_text):  # a heading and a pointer are no answer
                source, text = sub_source, sub_text
        sources.append(source)
        texts.append(text)
    return Grounding(sources, texts)


def _subset(grounding: Grounding, indexes: Sequence[int]) -> Grounding:
    return Grounding([grounding.sources[i] for i in indexes], [grounding.texts[i] for i in indexes])


def _past_introductions(sources: Sequence[Source]) -> list[int]:
    """Source indexes in rank order, an article's introduction (the text under its title)
    moved after the first other section of that article."""
    order = list(range(len(sources)))
    for index, source in enumerate(sources):
        if source.heading != source.title:
            continue
        later = [i for i in order if i > index and sources[i].file == source.file]
        if later:
            order.remove(index)
            order.insert(order.index(later[0]) + 1, index)
    return order


def _pointed_list(grounding: Grounding, index: int, order: Sequence[int]) -> int | None:
    """Another section of the same article holding the list that section ``index`` points to
    ("listés ci-dessous", "les cas suivants") without holding it itself."""
    text = grounding.texts[index]
    if not points_to_list(text) or has_list(text):
        return None
    file = grounding.sources[index].file
    return next(
        (
            i
            for i in order
            if i != index
            and grounding.sources[i].file == file
            and grounding.sources[i].heading != grounding.sources[i].title  # not the intro
            and has_list(grounding.texts[i])
        ),
        None,
    )


def extractive_answer(
    sources: Sequence[Source],
    texts: Sequence[str],
    *,
    language: str,
    style: ChannelStyle,
    handoff: str | None,
    further: Sequence[Source] = (),
    on_call: str | None = None,
) -> str:
    """The sections quoted in order, each cut so the whole answer fits the channel's budget;
    on the web, the articles to read more (the quoted ones', then ``further``); then the
    contact and ``on_call``, the landlord's on-call line (:mod:`.breakdowns`), if given."""
    p = phrases(language)
    contact = [p.contact.format(handoff=handoff)] if handoff else []
    if on_call:
        contact.append(on_call)
    quoted = [
        (source, _without_own_heading(source, text))
        for source, text in zip(sources, texts, strict=True)
    ]

    def write(words: int, contact: Sequence[str]) -> str:
        if style.markup == "plain":
            return _plain(quoted, words, contact)
        return _markdown(quoted, further, p, words, contact, language)

    def fitted(contact: Sequence[str]) -> tuple[str, int]:
        """The longest answer within the channel's budget, and its passage's words."""
        budget = style.max_words
        answer = write(budget, contact)
        while not style.fits(answer) and budget > MIN_PASSAGE_WORDS:
            budget -= _STEP_WORDS
            answer = write(budget, contact)
        return answer, budget

    answer, words = fitted(contact)
    if on_call and len(contact) > 1 and words < MIN_WORDS_BESIDE_ON_CALL:
        # A UCS-2 SMS holds about 180 characters: the on-call line stays, the office goes.
        answer, _ = fitted([on_call])
    return answer


def has_passage(source: Source, text: str) -> bool:
    """Whether the section has something to quote besides its heading (an article's title
    section can hold nothing else)."""
    return has_quotable_text(_without_own_heading(source, text), MIN_PASSAGE_WORDS)


def _without_own_heading(source: Source, text: str) -> str:
    """The section's text without its heading line, which the answer writes once itself."""
    first, _, rest = text.lstrip().partition("\n")
    if first.lstrip("#").strip() == source.heading.strip() and first.startswith("#"):
        return rest
    return text


def _passage(text: str, words: int, markup: str) -> list[str]:
    """The passage's paragraphs, sub-headings and list items, each a line of ``markup``."""
    lines = []
    for kind, block in focused_passage(without_relative_links(text), words):
        if markup == "plain":
            lines.append(markdown_to_plain(block))
        elif kind == "heading":
            lines.append(f"**{block}**")
        else:
            lines.append(block)
    return lines


def _plain(quoted: Sequence[tuple[Source, str]], words: int, contact: Sequence[str]) -> str:
    """The passage alone, in plain text (no heading, no article: every character costs),
    then the contact lines."""
    share = max(words // max(len(quoted), 1), 1)
    lines = [line for _, text in quoted for line in _passage(text, share, "plain")]
    return "\n".join([*lines, *contact])


def _markdown(
    quoted: Sequence[tuple[Source, str]],
    further: Sequence[Source],
    p: Phrases,
    words: int,
    contact: Sequence[str],
    language: str,
) -> str:
    """The section's heading in bold with its number, the passage, the articles to read more,
    a note that this is an excerpt, then the contact lines (the introduction only when the user's
    language is not the passage's)."""
    parts = [p.excerpts_intro, ""] if language != "fr" else []
    share = max(words // max(len(quoted), 1), 1)
    for source, text in quoted:
        parts.append(f"**{source.heading}** [{source.number}]")
        parts.append("")
        lines = _passage(text, share, "markdown")
        for index, line in enumerate(lines):
            parts.append(line)
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if not (_is_item(line) and _is_item(following)):
                parts.append("")
    parts.append(_read_more([source for source, _ in quoted], further, p))
    parts.append("")
    parts.append(f"_{p.excerpts_note}_")
    for line in contact:
        parts.append("")
        parts.append(line)
    return "\n".join(parts)


def _read_more(quoted: Sequence[Source], further: Sequence[Source], p: Phrases) -> str:
    """One line naming each article once, with the number of its first source, its title a
    link to the whole article when a tenant may open it."""
    articles: dict[str, Source] = {}
    for source in [*quoted, *further]:
        articles.setdefault(source.title, source)
    named = [
        p.article.format(title=_linked_title(source), number=source.number)
        for source in articles.values()
    ]
    return p.read_more.format(articles=", ".join(named))


def _linked_title(source: Source) -> str:
    """``[title](article)``, the article read from its top; the title alone without a link
    (brackets in a title would end the link's label early, so they become parentheses)."""
    if source.url is None:
        return source.title
    label = source.title.replace("[", "(").replace("]", ")")
    return f"[{label}]({source.url.partition('#')[0]})"


def _is_item(line: str) -> bool:
    """A list item's line: lists stay lists, without blank lines between their items."""
    return line.lstrip()[:2] in {"- ", "* ", "+ "} or line.lstrip()[:1].isdigit()
