"""Control questions hold a build until an administrator confirms it; rollback moves the
pointer back to a kept version; a publish keeps the last versions and expires the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from pierre_rag.publishing.build import PublishError
from pierre_rag.publishing.models import KEEP_VERSIONS, BuildStatus, ChangeAction
from tests.unit.knowledge.fakes import HashEmbedder
from tests.unit.publishing.build_support import (
    ADMIN,
    CARETAKER,
    HOURS,
    LANDLORD,
    build_base,
    publishing,
)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_base(tmp_path_factory.mktemp("base"), HashEmbedder())


def test_a_kept_control_question_lets_the_build_publish(tmp_path, base):
    # given a control question the landlord's hours page answers
    pub = publishing(tmp_path, base)
    pub.edit("public/horaires.md", HOURS)
    pub.add_control("À quelle heure ouvre l'agence de la rue des Tilleuls ?", "public/horaires.md")

    build = pub.builder.run(pub.request())

    assert build.status is BuildStatus.PUBLISHED
    [result] = build.controls
    assert result.passed and result.rank == 1 and result.found[0] == "public/horaires.md"


def test_a_lost_control_question_holds_the_build_until_an_administrator_confirms(tmp_path, base):
    # given a published landlord whose control question expects the hours page
    pub = publishing(tmp_path, base)
    pub.edit("public/horaires.md", HOURS)
    pub.add_control("À quelle heure ouvre l'agence de la rue des Tilleuls ?", "public/horaires.md")
    published = pub.builder.run(pub.request())

    # when the hours page is deleted and the landlord rebuilt
    pub.sources.delete(LANDLORD, "public/horaires.md", ADMIN)
    pub.edit("public/gardiens.md", CARETAKER)
    held = pub.builder.run(pub.request())

    # then the build is held: uploaded, the lost question recorded, the pointer not moved
    assert held.status is BuildStatus.HELD
    assert [lost.expected_file for lost in held.lost_controls] == ["public/horaires.md"]
    assert "public/horaires.md" not in held.lost_controls[0].found
    assert pub.artifacts.has_datastore(held.object_key)
    assert pub.repository.pointer(LANDLORD).version == published.version  # type: ignore[union-attr]

    # when an administrator confirms it
    confirmed = pub.builder.confirm(LANDLORD, held.id, "chef@exemple-hlm.fr")

    # then it is live, recorded as a CONFIRM change by that administrator
    pointer = pub.repository.pointer(LANDLORD)
    assert confirmed.status is BuildStatus.PUBLISHED
    assert pub.repository.build(LANDLORD, held.id) == confirmed
    assert pointer is not None and pointer.version == held.version
    assert pointer.published_by == "chef@exemple-hlm.fr"
    latest = pub.repository.changes(LANDLORD)[0]
    assert (latest.action, latest.version_id, latest.previous_version_id) == (
        ChangeAction.CONFIRM,
        held.version,
        published.version,
    )


def test_confirm_refuses_what_is_not_held_or_was_overtaken(tmp_path, base):
    # given a held build, then a newer publish
    pub = publishing(tmp_path, base)
    pub.add_control("À quelle heure ouvre l'agence ?", "public/absente.md")
    pub.edit("public/gardiens.md", CARETAKER)
    held = pub.builder.run(pub.request())
    pub.repository.delete_control(LANDLORD, "control0000")
    pub.edit("public/horaires.md", HOURS)
    newer = pub.builder.run(pub.request())
    assert (held.status, newer.status) == (BuildStatus.HELD, BuildStatus.PUBLISHED)

    # then confirming the published one, an unknown one or the overtaken held one is refused
    with pytest.raises(PublishError, match="retenue"):
        pub.builder.confirm(LANDLORD, newer.id, ADMIN)
    with pytest.raises(PublishError, match="n'existe pas"):
        pub.builder.confirm(LANDLORD, "unknownbuild", ADMIN)
    with pytest.raises(PublishError, match="plus récente"):
        pub.builder.confirm(LANDLORD, held.id, ADMIN)
    assert pub.repository.pointer(LANDLORD).version == newer.version  # type: ignore[union-attr]


def test_rollback_puts_a_kept_version_back_online(tmp_path, base):
    # given two published versions
    pub = publishing(tmp_path, base)
    pub.edit("public/horaires.md", HOURS)
    first = pub.builder.run(pub.request())
    pub.edit("public/horaires.md", HOURS.replace("17 heures", "18 heures"))
    second = pub.builder.run(pub.request())

    # when an administrator rolls back to the first
    back = pub.builder.rollback(LANDLORD, first.id, "chef@exemple-hlm.fr")

    # then the first is live again, recorded as a ROLLBACK change
    assert back == first
    assert pub.repository.pointer(LANDLORD).version == first.version  # type: ignore[union-attr]
    latest = pub.repository.changes(LANDLORD)[0]
    assert (latest.action, latest.version_id, latest.previous_version_id) == (
        ChangeAction.ROLLBACK,
        first.version,
        second.version,
    )
    # and rolling back to the live one is refused
    with pytest.raises(PublishError, match="déjà en ligne"):
        pub.builder.rollback(LANDLORD, first.id, ADMIN)


def test_rollback_refuses_a_build_that_was_never_published(tmp_path, base):
    pub = publishing(tmp_path, base)
    pub.add_control("À quelle heure ouvre l'agence ?", "public/absente.md")
    pub.edit("public/horaires.md", HOURS)
    held = pub.builder.run(pub.request())

    with pytest.raises(PublishError, match="publiée"):
        pub.builder.rollback(LANDLORD, held.id, ADMIN)
    assert pub.repository.pointer(LANDLORD) is None


def test_a_publish_keeps_the_last_versions_and_expires_the_older_ones(tmp_path, base):
    # given more published versions than are kept
    pub = publishing(tmp_path, base)
    builds = []
    for hour in range(KEEP_VERSIONS + 2):
        pub.edit("public/horaires.md", HOURS.replace("17 heures", f"{hour} heures"))
        builds.append(pub.builder.run(pub.request()))
    assert {b.status for b in builds} == {BuildStatus.PUBLISHED}

    # then the last KEEP_VERSIONS objects are kept, the older ones deleted and marked
    kept, gone = builds[-KEEP_VERSIONS:], builds[:-KEEP_VERSIONS]
    assert set(pub.artifacts.objects) == {b.object_key for b in kept}
    for build in gone:
        stored = pub.repository.build(LANDLORD, build.id)
        assert stored is not None and stored.expired and not stored.object_key
    # and an expired version cannot come back
    with pytest.raises(PublishError, match="plus conservée"):
        pub.builder.rollback(LANDLORD, gone[-1].id, ADMIN)
    pub.builder.rollback(LANDLORD, kept[0].id, ADMIN)


def test_rollback_refuses_a_version_whose_object_is_gone(tmp_path, base):
    # given two published versions, the first one's object deleted behind the builder's back
    pub = publishing(tmp_path, base)
    pub.edit("public/horaires.md", HOURS)
    first = pub.builder.run(pub.request())
    pub.edit("public/horaires.md", HOURS.replace("17 heures", "18 heures"))
    second = pub.builder.run(pub.request())
    pub.artifacts.delete_datastore(first.object_key)

    # then rolling back to it is refused and the pointer stays
    with pytest.raises(PublishError, match="n'existe plus"):
        pub.builder.rollback(LANDLORD, first.id, ADMIN)
    assert pub.repository.pointer(LANDLORD).version == second.version  # type: ignore[union-attr]
