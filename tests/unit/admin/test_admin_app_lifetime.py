"""Given an admin app, when it is dropped, then nothing keeps its
services alive: FastAPI caches facts about endpoints and dependencies by identity, so a route
closing over them would keep every app built in a process (and its stores) for good."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path
from typing import Any

from tests.unit.admin.harness import make_admin


def test_a_dropped_admin_app_keeps_none_of_its_services_alive(
    dynamodb: Any, admin_datastore: Path
) -> None:
    # given an admin app over its services (no request: a served sync route leaves its
    # arguments in the idle worker thread that ran it, which would blur what this checks)
    harness = make_admin(dynamodb, admin_datastore)
    services = weakref.ref(harness.services)

    # when the app is dropped
    del harness
    gc.collect()

    # then its services are gone with it
    assert services() is None
