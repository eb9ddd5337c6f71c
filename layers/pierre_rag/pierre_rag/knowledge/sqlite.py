"""SQLite connections with sqlite-vec loaded.

The stdlib ``sqlite3`` is used when it can load extensions; some Python builds (this one,
and some Lambda runtimes) lack ``enable_load_extension``, so ``sqlean`` is the fallback.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

import sqlite_vec

from pierre_rag.knowledge.errors import DatastoreError


def driver() -> ModuleType:
    """The DB-API module to use: stdlib ``sqlite3`` if it loads extensions, else ``sqlean``."""
    if hasattr(sqlite3.Connection, "enable_load_extension"):
        return sqlite3
    import sqlean

    mod: ModuleType = sqlean
    return mod


def _load_vec(connection: Any) -> None:
    connection.enable_load_extension(True)
    try:
        sqlite_vec.load(connection)
    finally:
        connection.enable_load_extension(False)


def open_writable(path: Path) -> Any:
    """A read-write connection for building (creates the file)."""
    connection = driver().connect(str(path))
    _load_vec(connection)
    return connection


def open_readonly(path: Path) -> Any:
    """Open ``path`` read-only with ``immutable=1``: no locks, no journal, no writes."""
    if not path.is_file():
        raise DatastoreError(
            f"datastore not found: {path} (build it with `pierre knowledge build`)"
        )
    uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
    mod = driver()
    try:
        connection = mod.connect(uri, uri=True, check_same_thread=False)
        _load_vec(connection)
    except mod.Error as exc:
        raise DatastoreError(f"cannot open datastore {path}: {exc}") from exc
    return connection
