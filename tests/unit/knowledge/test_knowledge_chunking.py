from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from pierre_rag.knowledge.chunking import ChunkingConfig, chunk_markdown

SMALL = ChunkingConfig(max_chars=300, min_chars=80, overlap_chars=60)


def _paragraph(n: int, words: int = 12) -> str:
    return " ".join(f"mot{n}x{i}" for i in range(words)) + "."


def test_each_chunk_keeps_its_heading_path() -> None:
    # given nested sections with enough text to stand alone
    body = _paragraph(1, 30)
    markdown = f"# Guide\n\n## Partir\n\n### Préavis\n\n{body}\n"
    # when chunked
    chunks = chunk_markdown(markdown, SMALL)
    # then the leaf chunk carries the breadcrumb of its ancestors
    leaf = next(c for c in chunks if body in c.text)
    assert leaf.heading_path == ("Guide", "Partir", "Préavis")


def test_one_line_section_is_folded_into_its_parent_and_stays_findable() -> None:
    # given a FAQ heading whose answer is a single short line
    markdown = "# Préavis\n\n" + _paragraph(1, 20) + "\n\n## Logement meublé\n\nUn mois.\n"
    # when chunked
    chunks = chunk_markdown(markdown, SMALL)
    # then the answer is not dropped: it lives in the parent chunk, with its heading listed
    holder = next(c for c in chunks if "Un mois." in c.text)
    assert holder.heading_path == ("Préavis",)
    assert "Logement meublé" in holder.headings
    assert "## Logement meublé" in holder.text


def test_question_heading_with_a_real_answer_keeps_its_own_chunk() -> None:
    # given a FAQ entry: a question heading and a short but complete answer
    markdown = (
        "# FAQ\n\n" + _paragraph(1, 20) + "\n\n## Les animaux sont-ils acceptés ?\n\n"
        "Oui, un animal de compagnie est accepté s'il ne gêne pas les voisins.\n"
    )
    # when chunked
    chunks = chunk_markdown(markdown, SMALL)
    # then the entry is a chunk of its own, under its question
    entry = next(c for c in chunks if "animal de compagnie" in c.text)
    assert entry.heading_path == ("FAQ", "Les animaux sont-ils acceptés ?")
    assert _paragraph(1, 20) not in entry.text


def test_long_section_is_split_at_paragraphs_with_overlap() -> None:
    # given a section of many paragraphs, larger than max_chars
    paragraphs = [_paragraph(i, 6) for i in range(12)]
    markdown = "# Long\n\n" + "\n\n".join(paragraphs) + "\n"
    # when chunked
    chunks = chunk_markdown(markdown, SMALL)
    # then it is split, no chunk is too long, and consecutive chunks share a paragraph
    assert len(chunks) > 1
    assert all(len(c.text) <= SMALL.max_chars for c in chunks)
    for first, second in itertools.pairwise(chunks):
        last_paragraph = first.text.split("\n\n")[-1]
        assert second.text.startswith(last_paragraph)
    # and no paragraph is cut in the middle
    for paragraph in paragraphs:
        assert any(paragraph in c.text for c in chunks)


def test_big_table_is_split_by_rows_repeating_the_header() -> None:
    # given a table much larger than max_chars
    header = "| Commune | Zone |\n| --- | --- |"
    rows = [f"| Commune numéro {i} | B{i % 3} |" for i in range(40)]
    markdown = "# Zones\n\n" + header + "\n" + "\n".join(rows) + "\n"
    # when chunked
    chunks = chunk_markdown(markdown, SMALL)
    # then every piece starts with the header row and every row is kept exactly once
    assert len(chunks) > 1
    assert all(c.text.startswith(header) for c in chunks)
    joined = "\n".join(c.text for c in chunks)
    assert all(joined.count(row) == 1 for row in rows)


def test_hash_in_code_fence_is_not_a_heading() -> None:
    markdown = "# Titre\n\n```\n# pas un titre\n```\n\n" + _paragraph(1, 20) + "\n"
    chunks = chunk_markdown(markdown, SMALL)
    assert all("pas un titre" not in c.heading_path for c in chunks)
    assert any("# pas un titre" in c.text for c in chunks)


def test_empty_document_gives_no_chunk() -> None:
    assert chunk_markdown("", SMALL) == []
    assert chunk_markdown("# Seulement un titre\n", SMALL) != []  # the heading itself is text


_words = st.text(alphabet="abcdeéàxyz", min_size=1, max_size=12)
_line = st.lists(_words, min_size=1, max_size=25).map(" ".join)
_block = st.one_of(
    _line,
    st.tuples(st.integers(1, 4), _line).map(lambda t: "#" * t[0] + " H" + t[1][:30]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_block, min_size=1, max_size=30))
def test_property_no_text_is_lost_and_chunks_stay_bounded(blocks: list[str]) -> None:
    # given any markdown made of headings and paragraphs
    markdown = "\n\n".join(blocks)
    # when chunked
    chunks = chunk_markdown(markdown, SMALL)
    text = (
        "\n".join(c.text for c in chunks) + "\n" + "\n".join(h for c in chunks for h in c.headings)
    )
    # then every word of the source is somewhere (in a chunk or a heading)
    for word in markdown.replace("#", " ").split():
        assert word in text
    # and no chunk is more than max_chars (plus the folded heading markers)
    assert all(len(c.text) <= SMALL.max_chars + 200 for c in chunks)
    # and every heading path is a prefix of the chunk's heading list
    assert all(c.headings[: len(c.heading_path)] == c.heading_path for c in chunks)
