"""The place table in a form that loads within a cold start.

Parsing ``data/places.tsv`` folds 10,000 commune names word by word: ~0.14 s of the chat's
1 s cold-init budget. The parsed mappings, written with ``marshal`` (plain dicts, tuples and
strings), load in ~2 ms. The layer build writes that file under ``<layer>/models/``
(:func:`prepare_for_layer`); elsewhere it is written to the user's cache on first use, as the
embedding model's tokenizer is.

The file's name carries a fingerprint of the table and of the code and word list that fold
its names, so a table or folding that changed is never read from a stale file.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
from pathlib import Path

from pierre_rag.knowledge import gazetteer, text
from pierre_rag.knowledge.gazetteer import Department, Gazetteer
from pierre_rag.prepared_files import write_atomically

logger = logging.getLogger(__name__)

_FORMAT = "pierre-places-1"


def fingerprint() -> str:
    """Hash of the table and of what turns its names into keys (the folding code and the
    stop words a name may not be)."""
    shaped_by = (
        gazetteer.TABLE_PATH,
        Path(gazetteer.__file__),
        Path(text.__file__),
        Path(text.__file__).parent / "data" / "stopwords.txt",
    )
    digest = hashlib.sha256()
    for path in shaped_by:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def prepared_file_name(print_: str | None = None) -> str:
    return f"places-{print_ or fingerprint()}.marshal"


def save_prepared(table: Gazetteer, path: Path, print_: str) -> None:
    """Write ``table`` to ``path`` atomically (no half-written file is ever read)."""
    departments = [(d.number, d.name, d.region) for d in table.departments.values()]
    payload = (_FORMAT, print_, departments, dict(table.names))
    write_atomically(path, lambda stream: stream.write(marshal.dumps(payload)))


def read_prepared(path: Path, print_: str) -> Gazetteer | None:
    """The table of ``path`` when it is ours and of this fingerprint, else None."""
    try:
        payload = marshal.loads(path.read_bytes())  # noqa: S302 — our own file, from the layer
        tag, found, departments, names = payload
        if tag != _FORMAT or found != print_ or not isinstance(names, dict):
            logger.warning("ignoring %s: not a place table of this fingerprint", path)
            return None
        by_number = {number: Department(number, *rest) for number, *rest in departments}
        return Gazetteer(by_number, names)
    except FileNotFoundError:
        return None
    except Exception:  # a truncated or foreign file must not stop the bot
        logger.warning("ignoring unreadable prepared place table %s", path, exc_info=True)
        return None


def load(models_dir: Path) -> Gazetteer:
    """The prepared table when there is a valid one, else the parsed table (then saved for
    next time when ``models_dir`` is writable)."""
    print_ = fingerprint()
    prepared = models_dir / prepared_file_name(print_)
    loaded = read_prepared(prepared, print_)
    if loaded is not None:
        return loaded
    parsed = gazetteer.parse_table(gazetteer.TABLE_PATH.read_text("utf-8"))
    try:
        save_prepared(parsed, prepared, print_)
    except OSError as error:  # read-only file system (Lambda's /opt): parse next time too
        logger.info("prepared place table not saved to %s: %s", prepared, error)
    return parsed


def prepare_for_layer(models_dir: Path) -> str:
    """Write the prepared table under ``models_dir`` and check it reads back as the parse
    does; return what was done."""
    print_ = fingerprint()
    path = models_dir / prepared_file_name(print_)
    parsed = gazetteer.parse_table(gazetteer.TABLE_PATH.read_text("utf-8"))
    save_prepared(parsed, path, print_)
    prepared = read_prepared(path, print_)
    if prepared is None or (prepared.departments, prepared.names) != (
        parsed.departments,
        parsed.names,
    ):
        raise RuntimeError(f"the prepared place table {path.name} differs from the parsed one")
    return f"place table parsed to {models_dir.name}/{path.name}"
