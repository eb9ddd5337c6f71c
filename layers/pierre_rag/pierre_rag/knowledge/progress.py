"""A dependency-free progress bar for the build CLI (stderr, redrawn in place)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    def __init__(
        self, total: int, label: str, stream: TextIO | None = None, width: int = 30
    ) -> None:
        self.total = max(total, 0)
        self.label = label
        self.done = 0
        self._stream = stream or sys.stderr
        self._width = width
        self._start = time.monotonic()
        self._last_draw = 0.0

    def advance(self, n: int = 1) -> None:
        self.done = min(self.total, self.done + n)
        now = time.monotonic()
        if now - self._last_draw >= 0.1 or self.done >= self.total:
            self._last_draw = now
            self._draw()

    def _draw(self) -> None:
        fraction = self.done / self.total if self.total else 1.0
        filled = int(self._width * fraction)
        bar = "#" * filled + "." * (self._width - filled)
        elapsed = time.monotonic() - self._start
        self._stream.write(
            f"\r{self.label} [{bar}] {self.done}/{self.total} {fraction:4.0%} {elapsed:5.1f}s"
        )
        self._stream.flush()

    def close(self) -> None:
        self._draw()
        self._stream.write("\n")
        self._stream.flush()
