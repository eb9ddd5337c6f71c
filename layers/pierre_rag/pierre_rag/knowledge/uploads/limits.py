"""What an uploaded file may weigh, and the refusal an admin reads when it weighs more."""

from __future__ import annotations

from dataclasses import dataclass

from pierre_rag.knowledge.errors import KnowledgeError

MIB = 1024 * 1024


class UploadRefused(KnowledgeError):
    """The file is refused and nothing is produced; ``reason`` is French, for the admin."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class UploadLimits:
    """Bounds checked on the zip directory before anything is inflated, and again while reading.

    The ratio bound only applies to parts of at least ``ratio_floor_bytes``: a small XML part
    full of repeated tags compresses 50–200× and is harmless, a bomb is a big part that does.
    """

    max_bytes: int = 5 * MIB
    max_uncompressed_bytes: int = 50 * MIB
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 1 * MIB
    max_members: int = 1000
    max_pdf_pages: int = 300

    def check_size(self, size: int) -> None:
        if size > self.max_bytes:
            raise UploadRefused(
                f"fichier trop volumineux : {_mib(size)} pour {_mib(self.max_bytes)} au plus"
            )


def _mib(size: int) -> str:
    return f"{size / MIB:.1f} Mo"
