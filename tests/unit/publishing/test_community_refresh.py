"""After a deploy, the landlords left over an older community copy are rebuilt, the others
are left alone, and one landlord's failure does not stop the rest."""

from __future__ import annotations

import pytest

from pierre_rag.publishing.authoring import NOT_REQUESTED, Authoring
from pierre_rag.publishing.community import (
    COMMUNITY_UPDATE_ACTOR,
    CommunityRefresh,
    rebuild_stale_landlords,
)
from pierre_rag.publishing.memory import MemoryBuildRequests, MemoryPublishing, MemorySources
from pierre_rag.publishing.models import BuildStatus, ChangeAction, Pointer

NEW, OLD = "c0ffee" * 2, "decade" * 2
STALE, CURRENT, UNPUBLISHED = "ancien-hlm.fr", "a-jour-hlm.fr", "nouveau-hlm.fr"


class _RefusingQueue(MemoryBuildRequests):
    def request(self, landlord: str, build_id: str, actor: str) -> None:
        raise ConnectionError("the queue is unreachable")


def _authoring(requests: MemoryBuildRequests) -> Authoring:
    clock = iter(range(1_800_000_000, 1_900_000_000)).__next__
    publishing = MemoryPublishing()
    for landlord, community in ((STALE, OLD), (CURRENT, NEW)):
        publishing.move_pointer(
            Pointer(
                landlord=landlord,
                version="0123456789abcdef",
                object_key=f"datastores/{landlord}/0123456789abcdef.sqlite",
                published_ms=0,
                published_by="marie@exemple.fr",
                community_hash=community,
            ),
            None,
        )
    return Authoring(MemorySources(lambda: 0.0), publishing, requests, lambda: float(clock()))


def _refresh(authoring: Authoring, landlords: list[str]) -> CommunityRefresh:
    return rebuild_stale_landlords(
        landlords,
        NEW,
        authoring.publishing,
        lambda landlord: authoring.request_build(landlord, COMMUNITY_UPDATE_ACTOR),
    )


def test_only_the_landlord_over_another_community_copy_is_rebuilt():
    # Given three landlords: one over the old community copy, one over the new, one unpublished
    requests = MemoryBuildRequests()
    authoring = _authoring(requests)

    # When the deploy's refresh runs
    refresh = _refresh(authoring, [STALE, CURRENT, UNPUBLISHED])

    # Then one build is queued, for the stale landlord, and its history says why
    assert refresh.summary() == {"requested": 1, "current": 1, "unpublished": 1, "failed": 0}
    assert [(landlord, actor) for landlord, _, actor in requests.requests] == [
        (STALE, COMMUNITY_UPDATE_ACTOR)
    ]
    [build] = authoring.publishing.builds(STALE)
    assert build.status is BuildStatus.QUEUED and build.requested_by == COMMUNITY_UPDATE_ACTOR
    [change] = authoring.publishing.changes(STALE)
    assert change.action is ChangeAction.BUILD_REQUESTED and change.detail == build.id
    assert authoring.publishing.builds(CURRENT) == []


def test_a_refused_request_is_reported_failed_and_its_build_record_says_so():
    authoring = _authoring(_RefusingQueue())

    refresh = _refresh(authoring, [STALE, CURRENT])

    assert (refresh.failed, refresh.current) == ([STALE], [CURRENT])
    [build] = authoring.publishing.builds(STALE)
    assert build.status is BuildStatus.FAILED and build.error == NOT_REQUESTED


def test_an_unreadable_pointer_skips_that_landlord_only(monkeypatch: pytest.MonkeyPatch):
    requests = MemoryBuildRequests()
    authoring = _authoring(requests)
    pointer = authoring.publishing.pointer

    def failing_for_one(landlord: str) -> Pointer | None:
        if landlord == CURRENT:
            raise TimeoutError("DynamoDB did not answer")
        return pointer(landlord)

    monkeypatch.setattr(authoring.publishing, "pointer", failing_for_one)

    refresh = _refresh(authoring, [CURRENT, STALE])

    assert (refresh.failed, refresh.requested) == ([CURRENT], [STALE])
