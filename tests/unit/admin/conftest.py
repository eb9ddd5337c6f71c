"""Fixtures of the admin tests (see harness.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pierre_rag.knowledge.build import build_datastore
from tests.unit.admin.harness import Admin, make_admin
from tests.unit.knowledge.fakes import FIXTURE_KNOWLEDGE, HashEmbedder


@pytest.fixture(scope="session")
def admin_datastore(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("admin-datastore") / "datastore.sqlite"
    build_datastore([FIXTURE_KNOWLEDGE], out, HashEmbedder())
    return out


@pytest.fixture
def admin(dynamodb: Any, admin_datastore: Path) -> Iterator[Admin]:
    harness = make_admin(dynamodb, admin_datastore)
    with harness.client:
        yield harness
