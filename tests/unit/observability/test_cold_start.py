"""Lambda init runs with the garbage collector paused, and leaves it on (pierre_rag.cold_start)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from pierre_rag.cold_start import collector_paused
from tests.helpers import REPO_ROOT


@pytest.fixture(autouse=True)
def _unfrozen() -> Iterator[None]:
    """What a test freezes is given back to the collector: this process is not a Lambda."""
    assert gc.isenabled()
    yield
    gc.unfreeze()
    gc.enable()


def test_the_collector_is_paused_during_init_then_resumed_with_inits_objects_frozen():
    # Given the collector on and nothing frozen
    gc.unfreeze()

    # When init runs
    with collector_paused():
        paused = not gc.isenabled()
        kept = [{"a long-lived": "object"} for _ in range(100)]

    # Then it ran paused, and after it the collector is on and skips what init made
    assert paused
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(kept)


def test_an_inner_block_leaves_the_collector_to_the_outer_one():
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()  # the handler's own block, inside the benchmark's
    assert gc.isenabled()


def test_a_failed_init_still_resumes_the_collector():
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("init failed")

    assert gc.isenabled()


@pytest.mark.parametrize("module", ["chat_handler", "chat_stream", "admin_handler"])
def test_each_entry_point_that_imports_fastapi_inits_with_the_collector_paused(module):
    # Given a fresh interpreter, as a new execution environment
    paths = [".", "functions/chat", "functions/admin", os.environ.get("PYTHONPATH", "")]
    probe = f"import gc; import {module}; print(gc.isenabled(), gc.get_freeze_count())"

    # When it imports the function's entry point
    printed = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()

    # Then the collector is on again, and the objects of its init (FastAPI's, pydantic's) are
    # frozen: they were made with the collector paused
    assert printed[0] == "True"
    assert int(printed[1]) > 10_000
