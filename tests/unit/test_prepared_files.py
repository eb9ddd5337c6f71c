"""Prepared model files are written whole or not at all, readable by Lambda's user."""

from __future__ import annotations

from pathlib import Path
from typing import IO

import pytest

from pierre_rag.prepared_files import write_atomically


def test_the_file_appears_whole_and_readable_by_all(tmp_path: Path) -> None:
    target = tmp_path / "models" / "table.bin"

    write_atomically(target, lambda stream: stream.write(b"prepared"))

    assert target.read_bytes() == b"prepared"
    assert target.stat().st_mode & 0o777 == 0o644
    assert [path.name for path in target.parent.iterdir()] == ["table.bin"]


def test_a_failed_write_leaves_the_previous_file_and_no_temporary_one(tmp_path: Path) -> None:
    # Given a prepared file already there
    target = tmp_path / "table.bin"
    write_atomically(target, lambda stream: stream.write(b"previous"))

    # When writing its replacement fails half way
    def half_then_fail(stream: IO[bytes]) -> None:
        stream.write(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, half_then_fail)

    # Then readers still see the previous file, and nothing else was left behind
    assert target.read_bytes() == b"previous"
    assert [path.name for path in tmp_path.iterdir()] == ["table.bin"]
