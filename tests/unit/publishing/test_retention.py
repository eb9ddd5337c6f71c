"""Which datastores a publish keeps: the last published versions, the live one, and the
held builds younger than the oldest kept version."""

from __future__ import annotations

from pierre_rag.publishing.models import KEEP_VERSIONS, Build, BuildStatus, datastore_key
from pierre_rag.publishing.retention import prune_plan

LANDLORD = "exemple-hlm.fr"


def _build(n: int, status: BuildStatus = BuildStatus.PUBLISHED, version: str = "") -> Build:
    version = version or f"{n:016x}"
    return Build(
        landlord=LANDLORD,
        id=f"build{n:04d}",
        version=version,
        status=status,
        requested_ms=n * 1000,
        requested_by="admin@exemple-hlm.fr",
        object_key=datastore_key(LANDLORD, version),
    )


def _ids(builds: list[Build]) -> list[str]:
    return sorted(b.id for b in builds)


def test_fewer_published_versions_than_kept_expire_nothing():
    builds = [_build(1, BuildStatus.HELD), *(_build(n) for n in range(2, KEEP_VERSIONS + 1))]

    plan = prune_plan(builds, live_version=builds[-1].version)

    assert plan.expired == [] and plan.deleted_keys == []


def test_the_oldest_published_versions_and_older_held_builds_expire():
    # given a held build, then KEEP_VERSIONS + 1 published ones, then another held build
    old_held = _build(1, BuildStatus.HELD)
    published = [_build(n) for n in range(2, KEEP_VERSIONS + 3)]
    young_held = _build(KEEP_VERSIONS + 3, BuildStatus.HELD)

    plan = prune_plan([old_held, *published, young_held], live_version=published[-1].version)

    # then the oldest published one and the held one older than every kept version go
    assert _ids(plan.expired) == _ids([old_held, published[0]])
    assert plan.deleted_keys == sorted([old_held.object_key, published[0].object_key])


def test_the_live_version_is_kept_whatever_its_age():
    published = [_build(n) for n in range(1, KEEP_VERSIONS + 3)]

    plan = prune_plan(published, live_version=published[0].version)  # rolled back to the oldest

    assert _ids(plan.expired) == _ids([published[1]])


def test_an_object_a_kept_build_shares_is_not_deleted():
    # given an old published build whose version a recent held build has again
    shared = "00000000000000aa"
    old = _build(1, version=shared)
    published = [_build(n) for n in range(2, KEEP_VERSIONS + 2)]
    held_again = _build(KEEP_VERSIONS + 2, BuildStatus.HELD, version=shared)

    plan = prune_plan([old, *published, held_again], live_version=published[-1].version)

    # then the old build expires but its object stays: it is the held build's too
    assert _ids(plan.expired) == _ids([old]) and plan.deleted_keys == []


def test_builds_already_expired_or_without_object_are_left_alone():
    expired = _build(1).model_copy(update={"expired": True, "object_key": ""})
    unchanged = _build(2, BuildStatus.UNCHANGED).model_copy(update={"object_key": ""})
    published = [_build(n) for n in range(3, KEEP_VERSIONS + 4)]

    plan = prune_plan([expired, unchanged, *published], live_version=published[-1].version)

    assert _ids(plan.expired) == _ids([published[0]])
