"""Seeding a landlord's sources from its folder of the repository (first deployment, make dev)."""

from __future__ import annotations

import itertools
import logging
from pathlib import Path

import pytest

from pierre_rag.publishing.memory import MemoryBuildRequests, MemoryPublishing, MemorySources
from pierre_rag.publishing.models import BuildStatus, Change, ChangeAction
from pierre_rag.publishing.seed import SEED_ACTOR, seed_landlord

LANDLORD = "exemple-hlm.fr"
START_S = 1_796_000_000


class Seeding:
    """The stores a seed writes to, and a clock ticking one second per reading."""

    def __init__(self) -> None:
        ticks = itertools.count()
        self.clock = lambda: START_S + next(ticks)
        self.sources = MemorySources(clock=self.clock)
        self.repository = MemoryPublishing()
        self.requests = MemoryBuildRequests()

    def seed(self, folder: Path) -> int:
        return seed_landlord(
            self.sources, self.repository, self.requests, LANDLORD, folder, self.clock
        )


def _folder(root: Path, files: dict[str, str]) -> Path:
    folder = root / LANDLORD
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_new_landlord_gets_its_public_and_staff_files_and_one_build(tmp_path: Path) -> None:
    # Given a landlord folder with public files (one in a sub-folder), a staff file, its YAML
    folder = _folder(
        tmp_path,
        {
            "landlord.yaml": "id: exemple-hlm.fr\n",
            "public/horaires.md": "# Horaires\n",
            "public/agences/gardien.md": "# Gardien\n",
            "staff/astreinte.md": "# Astreinte\n",
        },
    )
    seeding = Seeding()

    # when it is seeded
    copied = seeding.seed(folder)

    # then each Markdown file is a source at <access>/<name>, written by "seed"
    assert copied == 3
    listed = seeding.sources.list(LANDLORD)
    assert [(f.path, f.modified_by) for f in listed] == [
        ("public/gardien.md", SEED_ACTOR),
        ("public/horaires.md", SEED_ACTOR),
        ("staff/astreinte.md", SEED_ACTOR),
    ]
    assert seeding.sources.read(LANDLORD, "public/gardien.md") == b"# Gardien\n"
    # and each is a SEED change with its version, then one build is requested and queued
    changes = list(reversed(seeding.repository.changes(LANDLORD)))
    seeded = [c for c in changes if c.action is ChangeAction.SEED]
    assert [(c.path, c.version_id, c.actor) for c in seeded] == [
        (f.path, f.version_id, SEED_ACTOR) for f in listed
    ]
    ((landlord, build_id, actor),) = seeding.requests.requests
    assert (landlord, actor) == (LANDLORD, SEED_ACTOR)
    build = seeding.repository.build(LANDLORD, build_id)
    assert build is not None
    assert (build.status, build.requested_by) == (BuildStatus.QUEUED, SEED_ACTOR)
    assert changes[-1].action is ChangeAction.BUILD_REQUESTED
    assert changes[-1].detail == build_id


def test_a_landlord_with_sources_is_not_seeded_again(tmp_path: Path) -> None:
    # Given a landlord seeded once
    folder = _folder(tmp_path, {"public/horaires.md": "# Horaires\n"})
    seeding = Seeding()
    seeding.seed(folder)

    # when it is seeded again (the next start of the stack)
    (folder / "public" / "nouveau.md").write_text("# Nouveau\n", encoding="utf-8")
    copied = seeding.seed(folder)

    # then nothing is copied or requested
    assert copied == 0
    assert [f.path for f in seeding.sources.list(LANDLORD)] == ["public/horaires.md"]
    assert len(seeding.requests.requests) == 1


def test_a_landlord_that_deleted_every_file_is_not_seeded_again(tmp_path: Path) -> None:
    # Given a landlord with no source left but a history (its staff deleted everything)
    folder = _folder(tmp_path, {"public/horaires.md": "# Horaires\n"})
    seeding = Seeding()
    seeding.repository.record_change(
        Change(
            landlord=LANDLORD,
            at_ms=START_S * 1000,
            actor="ana@exemple-hlm.fr",
            action=ChangeAction.DELETE,
            path="public/horaires.md",
        )
    )

    # when it is seeded, then its choice stands
    assert seeding.seed(folder) == 0
    assert seeding.sources.list(LANDLORD) == []
    assert seeding.requests.requests == []


def test_names_that_are_not_source_slugs_are_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a folder with a name in capitals, an underscore, and two files of the same name
    folder = _folder(
        tmp_path,
        {
            "public/Horaires.md": "x",
            "public/mon_gardien.md": "x",
            "public/a/contact.md": "first",
            "public/b/contact.md": "second",
            "staff/contact.md": "staff",
        },
    )
    seeding = Seeding()

    # when it is seeded
    with caplog.at_level(logging.WARNING, logger="pierre_rag.publishing.seed"):
        copied = seeding.seed(folder)

    # then only the files that fit the layout are copied, the first of a name kept
    assert copied == 2
    assert [f.path for f in seeding.sources.list(LANDLORD)] == [
        "public/contact.md",
        "staff/contact.md",
    ]
    assert seeding.sources.read(LANDLORD, "public/contact.md") == b"first"
    warned = " ".join(record.getMessage() for record in caplog.records)
    for name in ("Horaires.md", "mon_gardien.md", "b/contact.md"):
        assert name in warned


def test_a_folder_without_markdown_requests_no_build(tmp_path: Path) -> None:
    # Given a landlord folder holding only its YAML
    folder = _folder(tmp_path, {"landlord.yaml": "id: exemple-hlm.fr\n"})
    seeding = Seeding()

    # when it is seeded, then nothing is stored or requested
    assert seeding.seed(folder) == 0
    assert seeding.repository.changes(LANDLORD) == []
    assert seeding.requests.requests == []
