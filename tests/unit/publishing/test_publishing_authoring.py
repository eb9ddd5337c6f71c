"""The authoring actions over the in-memory stores: what each records."""

from __future__ import annotations

import pytest

from pierre_rag.publishing.authoring import Authoring, SourceConflictError
from pierre_rag.publishing.memory import MemoryBuildRequests, MemoryPublishing, MemorySources
from pierre_rag.publishing.models import ChangeAction

LANDLORD = "pierre-habitat.fr"
WHO = f"marie@{LANDLORD}"


class _Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        self.now += 1
        return self.now


@pytest.fixture
def authoring() -> Authoring:
    clock = _Clock()
    return Authoring(MemorySources(clock), MemoryPublishing(), MemoryBuildRequests(), clock)


def test_a_new_file_may_not_overwrite_and_a_replacement_needs_a_file(authoring):
    authoring.publish(LANDLORD, "public/a.md", "# A\n\nTexte.\n", WHO, replace=False)

    with pytest.raises(SourceConflictError):
        authoring.publish(LANDLORD, "public/a.md", "# A\n\nAutre.\n", WHO, replace=False)
    with pytest.raises(SourceConflictError):
        authoring.publish(LANDLORD, "public/b.md", "# B\n\nTexte.\n", WHO, replace=True)
    assert len(authoring.publishing.builds(LANDLORD)) == 1


def test_deleting_an_absent_file_records_nothing(authoring):
    with pytest.raises(SourceConflictError):
        authoring.delete(LANDLORD, "public/absent.md", WHO)

    assert authoring.publishing.changes(LANDLORD) == []
    assert authoring.build_requests.requests == []


def test_restoring_a_deleted_file_is_an_upload_again(authoring):
    first = authoring.publish(LANDLORD, "public/a.md", "# A\n\nTexte.\n", WHO, replace=False)
    authoring.delete(LANDLORD, "public/a.md", WHO)

    restored = authoring.restore(LANDLORD, "public/a.md", first.source.version_id, WHO)

    latest = authoring.publishing.changes(LANDLORD)[0]
    assert (latest.action, latest.previous_version_id) == (ChangeAction.UPLOAD, "")
    assert latest.version_id == restored.source.version_id
    assert first.source.version_id in latest.detail
