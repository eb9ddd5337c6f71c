"""The knowledge file view lists a file's sections in the order of its document."""

from __future__ import annotations

from pierre_rag.knowledge.browse import Section, document_order
from pierre_rag.knowledge.chunking import ChunkingConfig, chunk_markdown

PARAGRAPH = "Un paragraphe assez long pour rester une section à lui seul. " * 3
DOCUMENT = f"""{PARAGRAPH}

# Le loyer

{PARAGRAPH}

## Payer

{PARAGRAPH}

## Aides

{PARAGRAPH}

# Les travaux

{PARAGRAPH}
"""


def test_sections_follow_the_document_not_the_chunkers_order() -> None:
    # Given the chunks of a document as the datastore numbers them (the chunker's order:
    # sub-sections before their section)
    drafts = chunk_markdown(DOCUMENT, ChunkingConfig(min_chars=50))
    stored = [
        Section(chunk_id, list(draft.heading_path), draft.text)
        for chunk_id, draft in enumerate(drafts, start=1)
    ]
    in_document = [
        "(introduction)",
        "Le loyer",
        "Le loyer > Payer",
        "Le loyer > Aides",
        "Les travaux",
    ]
    assert [section.heading for section in stored] != in_document  # the order to correct

    # when the file view orders them
    shown = [section.heading for section in document_order(stored)]

    # then they read as the document does
    assert shown == in_document
