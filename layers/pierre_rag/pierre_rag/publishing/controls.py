"""A landlord's control questions run against a freshly built datastore.

A control question names the file that must come back for it; it passes when that file is
among the first :data:`CONTROL_FILES` distinct files the search returns, with the landlord's
every access level (community, public, staff), as staff would search.
"""

from __future__ import annotations

from collections.abc import Sequence

from pierre_rag.knowledge.models import AccessLevel
from pierre_rag.knowledge.search import KnowledgeBase
from pierre_rag.publishing.models import ControlQuestion, ControlResult

CONTROL_FILES = 5
# chunks asked of the search to find that many distinct files (a file gives several chunks)
_CHUNKS = 4 * CONTROL_FILES


def source_name(file: str, landlord: str) -> str:
    """A datastore file id as the admin names it: a landlord file by its source path
    (``public/horaires.md``), a community file by its id."""
    return file.removeprefix(f"{landlord}/")


def run_controls(
    kb: KnowledgeBase, landlord: str, controls: Sequence[ControlQuestion]
) -> list[ControlResult]:
    return [_run_one(kb, landlord, control) for control in controls]


def _run_one(kb: KnowledgeBase, landlord: str, control: ControlQuestion) -> ControlResult:
    response = kb.search(control.question, k=_CHUNKS, landlord=landlord, access=tuple(AccessLevel))
    files = dict.fromkeys(source_name(result.file, landlord) for result in response.results)
    found = list(files)[:CONTROL_FILES]
    expected = source_name(control.expected_file, landlord)
    return ControlResult(
        question=control.question,
        expected_file=control.expected_file,
        rank=found.index(expected) + 1 if expected in found else None,
        found=found,
    )
