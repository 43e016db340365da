"""The player's own database (`<state_dir>/player.db`): the checkpointed queue and position.

Writes are few and small (an SD card lives in there): the queue only when its version changed,
the position at most every few seconds while playing, each in one durable transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from cache.db import Migration, fetch_row, fetch_rows, open_or_rebuild
from cache.repairs import RepairSink, ignore_repair

MIGRATIONS: list[Migration] = [
    """
    CREATE TABLE queue_entries (
        pos      INTEGER PRIMARY KEY,
        entry_id TEXT NOT NULL,
        item_id  TEXT NOT NULL
    );
    CREATE TABLE session (
        id            INTEGER PRIMARY KEY CHECK (id = 1),
        queue_version INTEGER NOT NULL,
        queue_index   INTEGER,
        position      REAL NOT NULL,
        state         TEXT NOT NULL,
        volume        INTEGER NOT NULL,
        muted         INTEGER NOT NULL,
        repeat        TEXT NOT NULL,
        shuffle       INTEGER NOT NULL,
        saved_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    );
    """,
    # The timers room (player/timers/): the sleep timer's end, and where long tracks were left.
    """
    CREATE TABLE sleep_timer (
        id      INTEGER PRIMARY KEY CHECK (id = 1),
        mode    TEXT NOT NULL,
        ends_at REAL,
        restore_volume INTEGER
    );
    CREATE TABLE track_positions (
        item_id  TEXT PRIMARY KEY,
        position REAL NOT NULL,
        saved_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    );
    """,
    # Alarms made through the API, the ring each alarm last fired (written before it plays, so a
    # restart never rings it twice), and the radio stations added through the API.
    """
    CREATE TABLE alarms (
        id   TEXT PRIMARY KEY,
        body TEXT NOT NULL
    );
    CREATE TABLE alarm_firings (
        alarm_id  TEXT PRIMARY KEY,
        fired_for REAL NOT NULL
    );
    CREATE TABLE radio_stations (
        id   TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        url  TEXT NOT NULL
    );
    """,
]


@dataclass(frozen=True, slots=True)
class SessionState:
    queue_version: int
    queue_index: int | None
    position: float
    state: str
    volume: int
    muted: bool
    repeat: str
    shuffle: bool


@dataclass(frozen=True, slots=True)
class SavedSession:
    entries: list[tuple[str, str]]  # (entry_id, item_id) in queue order
    state: SessionState


class StateStore:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path, on_repair: RepairSink = ignore_repair) -> StateStore:
        """Open player.db; a damaged one is moved aside and started afresh (the queue is lost)."""
        return cls(await open_or_rebuild(path, MIGRATIONS, durable=True, on_repair=on_repair))

    async def close(self) -> None:
        await self._conn.close()

    async def save(self, state: SessionState, entries: Sequence[tuple[str, str]] | None) -> None:
        """Save the session; the queue rows are rewritten only when `entries` is given.

        Shielded and serialised: a cancellation (shutdown) must not leave a transaction open
        on the shared connection, and two saves must not interleave their statements.
        """
        await asyncio.shield(self._save_locked(state, entries))

    async def _save_locked(
        self, state: SessionState, entries: Sequence[tuple[str, str]] | None
    ) -> None:
        async with self._lock:
            await self._transaction(state, entries)

    async def _transaction(
        self, state: SessionState, entries: Sequence[tuple[str, str]] | None
    ) -> None:
        await self._conn.execute("BEGIN IMMEDIATE")
        try:
            if entries is not None:
                await self._conn.execute("DELETE FROM queue_entries")
                await self._conn.executemany(
                    "INSERT INTO queue_entries(pos, entry_id, item_id) VALUES (?, ?, ?)",
                    [(i, eid, iid) for i, (eid, iid) in enumerate(entries)],
                )
            await self._conn.execute(
                "INSERT OR REPLACE INTO session(id, queue_version, queue_index, position, state,"
                " volume, muted, repeat, shuffle) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    state.queue_version, state.queue_index, state.position, state.state,
                    state.volume, int(state.muted), state.repeat, int(state.shuffle),
                ),
            )  # fmt: skip
            await self._conn.execute("COMMIT")
        except BaseException:
            # A failed COMMIT (a full disk) may or may not have ended the transaction already.
            if self._conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    await self._conn.execute("ROLLBACK")
            raise

    async def load(self) -> SavedSession | None:
        row = await fetch_row(self._conn, "SELECT * FROM session WHERE id = 1")
        if row is None:
            return None
        found = await fetch_rows(
            self._conn, "SELECT entry_id, item_id FROM queue_entries ORDER BY pos"
        )
        entries = [(r[0], r[1]) for r in found]
        state = SessionState(
            queue_version=row["queue_version"], queue_index=row["queue_index"], position=row["position"],
            state=row["state"], volume=row["volume"], muted=bool(row["muted"]), repeat=row["repeat"],
            shuffle=bool(row["shuffle"]),
        )  # fmt: skip
        return SavedSession(entries, state)

    async def integrity_ok(self) -> bool:
        row = await fetch_row(self._conn, "PRAGMA integrity_check")
        return row is not None and row[0] == "ok"
