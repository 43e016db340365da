"""The cache settings in force: the TOML `[cache]` table, overridden by what `PATCH /cache/config`
stored in cache.db's meta table, so a change made from the phone survives restarts."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

import aiosqlite

from cache.db import fetch_row
from cache.errors import ConfigError
from cache.planner.config import CacheConfig

log = logging.getLogger(__name__)
META_KEY = "cache_config"
Listener = Callable[[CacheConfig], None]


class CacheSettings:
    """`current` is the config in force; `patch` validates, persists and announces a change."""

    def __init__(self, db: aiosqlite.Connection, base: CacheConfig) -> None:
        self._db = db
        self._base = base
        self._overrides: dict[str, Any] = {}
        self.current = base
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        """Call `listener(config)` after every change."""
        self._listeners.append(listener)

    async def load(self) -> CacheConfig:
        """Apply the stored overrides; one that no longer validates is dropped with a warning."""
        row = await fetch_row(self._db, "SELECT value FROM meta WHERE key = ?", (META_KEY,))
        stored = _decode(row[0]) if row is not None else {}
        for name, value in stored.items():
            try:
                self.current = CacheConfig.from_mapping({name: value}, self.current)
                self._overrides[name] = value
            except ConfigError as err:
                log.warning("ignoring the stored cache setting %s: %s", name, err)
        return self.current

    async def patch(self, changes: Mapping[str, Any]) -> CacheConfig:
        """Validate `changes` over the current config (all errors at once), persist, announce."""
        updated = CacheConfig.from_mapping(changes, self.current)
        overrides = {**self._overrides, **changes}
        await self._db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (META_KEY, json.dumps(overrides, sort_keys=True)),
        )
        self._overrides = overrides
        self.current = updated
        for listener in list(self._listeners):
            listener(updated)
        return updated


def _decode(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        log.warning("the stored cache settings are not JSON; using the configured ones")
        return {}
    return value if isinstance(value, dict) else {}
