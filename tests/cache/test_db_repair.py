"""open_or_rebuild: a damaged database is moved aside and made anew; a sound one is left alone."""

from __future__ import annotations

from pathlib import Path

import aiosqlite

from cache.db import open_or_rebuild
from cache.repairs import Repair

MIGRATIONS = ["CREATE TABLE a (x INTEGER);", "CREATE TABLE b (y TEXT);"]


def kept_aside(folder: Path) -> list[Path]:
    return sorted(folder.glob("x.db.damaged-*"))


async def reopen(path: Path, repairs: list[Repair]) -> aiosqlite.Connection:
    return await open_or_rebuild(path, MIGRATIONS, on_repair=repairs.append)


async def test_a_sound_database_keeps_its_rows(tmp_path: Path) -> None:
    path, repairs = tmp_path / "x.db", list[Repair]()
    conn = await reopen(path, repairs)
    await conn.execute("INSERT INTO a VALUES (1)")
    await conn.close()
    conn = await reopen(path, repairs)
    async with conn.execute("SELECT x FROM a") as cur:
        assert [r[0] for r in await cur.fetchall()] == [1]
    await conn.close()
    assert repairs == []


async def test_a_table_missing_for_its_version_is_a_repair(tmp_path: Path) -> None:
    path, repairs = tmp_path / "x.db", list[Repair]()
    conn = await reopen(path, repairs)
    await conn.execute("DROP TABLE b")
    await conn.close()
    conn = await reopen(path, repairs)
    await conn.execute("INSERT INTO b VALUES ('fresh')")  # the rebuilt file has every table
    await conn.close()
    assert [r.what for r in repairs] == ["x.db"]
    assert "tables missing" in repairs[0].problem and "['b']" in repairs[0].problem
    kept = kept_aside(tmp_path)
    assert len(kept) == 1 and repairs[0].action == f"moved aside as {kept[0].name}; rebuilt"


async def test_garbage_is_kept_aside_as_it_was(tmp_path: Path) -> None:
    path, repairs = tmp_path / "x.db", list[Repair]()
    path.write_bytes(b"garbage" * 1000)
    conn = await reopen(path, repairs)
    await conn.close()
    assert "file is not a database" in repairs[0].problem
    (kept,) = kept_aside(tmp_path)
    assert kept.read_bytes() == b"garbage" * 1000
