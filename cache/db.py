"""Opening SQLite files the same way everywhere: WAL, foreign keys, migrations by `user_version`.

`open_or_rebuild` is what the service uses: a file that SQLite cannot read, that fails
`quick_check`, that was written by a newer tapedeck or lacks the tables its version promises is
moved aside (kept for a person to look at) and a fresh one is made. Everything in these files can
be rebuilt (the catalogue from the music folder and the server, downloads from the media files, the
queue is a convenience), whereas a device that refuses to start has no keyboard to fix it from.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from cache.repairs import RepairSink, ignore_repair, repair

log = logging.getLogger(__name__)

Migration = str  # one script; its 1-based position in the list is the version it brings the file to


class SchemaTooNewError(RuntimeError):
    """The file was written by a newer tapedeck; refusing to guess what it means."""


async def fetch_rows(
    conn: aiosqlite.Connection, sql: str, params: Sequence[Any] = ()
) -> list[aiosqlite.Row]:
    """Every row of one statement, in one trip to the connection's thread: a cursor opened with
    `async with conn.execute(...)` takes three (execute, fetch, close), each a hand-over between
    threads (~0.2 ms on this machine, several times that on a Pi Zero's cores)."""
    return list(await conn.execute_fetchall(sql, params))


async def fetch_row(
    conn: aiosqlite.Connection, sql: str, params: Sequence[Any] = ()
) -> aiosqlite.Row | None:
    """The row of a statement that gives at most one (a key, an aggregate, RETURNING), or None."""
    found = await fetch_rows(conn, sql, params)
    return found[0] if found else None


async def open_db(
    path: Path, migrations: Sequence[Migration], *, durable: bool = False, cache_kib: int = 2048
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
        # Sized for a 512 MB board: a 2 MiB page cache per connection (the hot pages of a
        # 50,000-track catalogue's indexes fit; the OS page cache holds the rest, shared),
        # and no memory-mapped I/O (it would count the file's pages against this process).
        # Temporary b-trees stay in memory: a batch upsert of 10,000 rows spilled ~6 MiB into a
        # temp file even when it changed nothing, the SD card's writes for nothing.
        await conn.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
        await conn.execute("PRAGMA mmap_size=0")
        await conn.execute("PRAGMA temp_store=MEMORY")
        await migrate(conn, migrations, path)
    except BaseException:
        await conn.close()
        raise
    return conn


async def migrate(conn: aiosqlite.Connection, migrations: Sequence[Migration], path: Path) -> None:
    row = await fetch_row(conn, "PRAGMA user_version")
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


class DamagedDatabaseError(Exception):
    """The file cannot be trusted; `str(err)` says why."""


_SIDE_FILES = ("-wal", "-shm", "-journal")
# What says the file itself is bad. A full disk, an I/O error, a lock or a permission is not the
# file's fault: moving it aside then would throw good data away, so those still raise.
_DAMAGE_CODES = frozenset(
    {sqlite3.SQLITE_ERROR, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_SCHEMA, sqlite3.SQLITE_NOTADB}
)


def _is_damage(err: sqlite3.DatabaseError) -> bool:
    code = getattr(err, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in _DAMAGE_CODES


async def open_or_rebuild(
    path: Path,
    migrations: Sequence[Migration],
    *,
    durable: bool = False,
    on_repair: RepairSink = ignore_repair,
) -> aiosqlite.Connection:
    """`open_db`, but a damaged file is moved aside, reported and replaced by a fresh one."""
    try:
        return await _open_checked(path, migrations, durable)
    except DamagedDatabaseError as err:
        problem = str(err)
    kept = await asyncio.to_thread(_move_aside, path)
    action = f"moved aside as {kept.name}; rebuilt" if kept else "rebuilt"
    log.error("%s was damaged (%s): %s", path.name, problem, action)
    on_repair(repair(path.name, problem, action))
    return await open_db(path, migrations, durable=durable)


async def _open_checked(
    path: Path, migrations: Sequence[Migration], durable: bool
) -> aiosqlite.Connection:
    if await asyncio.to_thread(_is_empty_file, path):
        # SQLite would take an empty file for a new database; here it means lost contents.
        raise DamagedDatabaseError("the file was empty")
    try:
        conn = await open_db(path, migrations, durable=durable)
    except SchemaTooNewError as err:
        raise DamagedDatabaseError(str(err)) from err
    except sqlite3.DatabaseError as err:
        if not _is_damage(err):
            raise
        raise DamagedDatabaseError(f"SQLite cannot read it ({err})") from err
    try:
        await _check(conn, migrations)
    except BaseException:
        await conn.close()
        raise
    return conn


async def _check(conn: aiosqlite.Connection, migrations: Sequence[Migration]) -> None:
    try:
        rows = [str(r[0]) for r in await fetch_rows(conn, "PRAGMA quick_check")]
        if rows != ["ok"]:
            raise DamagedDatabaseError(f"quick_check failed: {'; '.join(rows[:3])}")
        missing = await _expected_tables(migrations) - await _tables(conn)
    except sqlite3.DatabaseError as err:
        if not _is_damage(err):
            raise
        raise DamagedDatabaseError(f"SQLite cannot read it ({err})") from err
    if missing:
        raise DamagedDatabaseError(f"tables missing for its schema version: {sorted(missing)}")


async def _tables(conn: aiosqlite.Connection) -> set[str]:
    found = await fetch_rows(conn, "SELECT name FROM sqlite_master WHERE type = 'table'")
    return {str(r[0]) for r in found}


async def _expected_tables(migrations: Sequence[Migration]) -> set[str]:
    """The tables a file at the latest version has: the migrations run on an empty database."""
    async with aiosqlite.connect(":memory:", isolation_level=None) as conn:
        for script in migrations:
            await conn.executescript(script)
        return await _tables(conn)


def _is_empty_file(path: Path) -> bool:
    return path.is_file() and path.stat().st_size == 0


def _move_aside(path: Path) -> Path | None:
    """Rename the file (and its WAL/SHM companions) to `<name>.damaged-<time>`."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    kept = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in _SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.replace(kept.with_name(kept.name + suffix))
    if not path.exists():
        return None
    path.replace(kept)
    return kept
