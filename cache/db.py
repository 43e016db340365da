"""Opening SQLite files the same way everywhere: WAL, foreign keys, migrations by `user_version`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)

Migration = str  # one script; its 1-based position in the list is the version it brings the file to


class SchemaTooNewError(RuntimeError):
    """The file was written by a newer tapedeck; refusing to guess what it means."""


async def open_db(
    path: Path, migrations: Sequence[Migration], *, durable: bool = False
) -> aiosqlite.Connection:
    """Open (creating) the database at `path` and bring its schema up to date.

    `durable` makes every commit survive a power cut (an fsync per commit): for small, rare writes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    try:
        # WAL keeps readers off the writer's back; NORMAL sync is durable at each checkpoint
        # and loses at most the last transactions on power loss, never consistency.
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        await migrate(conn, migrations, path)
    except BaseException:
        await conn.close()
        raise
    return conn


async def migrate(conn: aiosqlite.Connection, migrations: Sequence[Migration], path: Path) -> None:
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    current = int(row[0]) if row else 0
    if current > len(migrations):
        raise SchemaTooNewError(
            f"{path} has schema version {current}; this build knows {len(migrations)}"
        )
    for version in range(current + 1, len(migrations) + 1):
        log.info("migrating %s to schema version %d", path.name, version)
        script = migrations[version - 1]
        # executescript commits first; the version bump rides in the same script so a crash
        # between the two cannot leave a half-applied step marked as done.
        await conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version={version};\nCOMMIT;")
