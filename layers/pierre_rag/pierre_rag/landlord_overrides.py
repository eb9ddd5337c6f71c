"""Each landlord's config as served: its file with the settings edited in the admin applied.

Like the knowledge pointer, a landlord's stored settings are re-read at most every
``check_every_s`` seconds, at call time (no timer or thread: it also holds after a SnapStart
restore), on an injected monotonic clock. Nothing stored → the file. A stored edit that no
longer applies (the file lost a context, the model changed) → the file, logged once per
stored edit. A failing read → the last config served (the file at first), logged, read again
after the interval. Never an error to the caller: a landlord's settings cannot take its chat
down, nor another landlord's.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pierre_rag.landlord_settings import effective_config
from pierre_rag.landlords import LandlordConfig

logger = logging.getLogger(__name__)

CHECK_EVERY_S = 30.0


class StoredSettings(Protocol):
    """Where the edits are kept (``PublishingRepository`` is one)."""

    def landlord_settings(self, landlord: str) -> tuple[dict[str, Any], int] | None: ...


_NEVER_READ = object()


@dataclass(frozen=True)
class _Served:
    seed: LandlordConfig
    # the stored edit ``config`` was made from (None: none stored); compared whole, not by
    # revision: a revert then a new save may store another edit under the same revision
    stored: object
    config: LandlordConfig
    checked_at: float


class LandlordOverrides:
    """The overlay of a :class:`~pierre_rag.landlords.LandlordRegistry`
    (``registry.with_overlay(overrides.effective)``), one per container."""

    def __init__(
        self,
        store: StoredSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        check_every_s: float = CHECK_EVERY_S,
    ) -> None:
        self.store = store
        self.clock = clock
        self.check_every_s = check_every_s
        self._served: dict[str, _Served] = {}
        self._lock = threading.Lock()

    def effective(self, seed: LandlordConfig) -> LandlordConfig:
        """``seed`` (the landlord's file config) with its stored edit applied."""
        now = self.clock()
        with self._lock:
            served = self._served.get(seed.id)
        if served is not None and served.seed is not seed:
            served = None  # another file config (tests build several registries)
        if served is not None and now - served.checked_at < self.check_every_s:
            return served.config
        checked = self._check(seed, served, now)
        with self._lock:
            self._served[seed.id] = checked
        return checked.config

    def _check(self, seed: LandlordConfig, served: _Served | None, now: float) -> _Served:
        try:
            stored = self.store.landlord_settings(seed.id)
        except Exception as error:  # any store failure: keep serving
            logger.warning(
                "landlord %s: its edited settings could not be read (%s): the last ones "
                "served are kept",
                seed.id,
                error,
            )
            if served is None:
                return _Served(seed, _NEVER_READ, seed, now)
            return _Served(seed, served.stored, served.config, now)
        edit = stored[0] if stored else None
        if served is not None and served.stored == edit:
            return _Served(seed, edit, served.config, now)
        try:
            config = effective_config(seed, edit)
        except ValueError as error:
            logger.error(
                "landlord %s: its edited settings (revision %d) no longer apply, its file's "
                "are served: %s",
                seed.id,
                stored[1] if stored else 0,
                error,
            )
            config = seed
        return _Served(seed, edit, config, now)
