"""Writing the prepared model files (models, tables) that the layer ships and caches hold.

A leaf module. Each file is written to a temporary file beside it, then renamed over it, so a
reader never sees half a file; it is made readable by all, since Lambda reads the layer as
another user than the one who built it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO


def write_atomically(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Create ``path`` with what ``write`` writes to the stream it is given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as stream:
        temporary = Path(stream.name)
        try:
            write(stream)
        except BaseException:
            stream.close()
            temporary.unlink(missing_ok=True)
            raise
    temporary.chmod(0o644)  # the temporary file is private
    temporary.replace(path)
