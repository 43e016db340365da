"""The hash check of completed files: recorded once a download completes, checked at every start.

The size check of reconcile catches a file cut short; only a hash catches one damaged in place
at the same size. Hashing every file costs real time on a Pi's card, so it runs in the background
after start (a thread reads the file, the event loop stays free) and never holds up playback: a
damaged file is found a little later and downloaded again, which is what a person would do.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiosqlite

from cache.db import fetch_row
from cache.downloads.models import Download, DownloadStatus
from cache.downloads.paths import absolute
from cache.downloads.store import DownloadStore

log = logging.getLogger(__name__)

_BLOCK = 1 << 20
Redownload = Callable[[Download, str], Awaitable[None]]
"""Fetch a completed download again; the string says what was wrong with its file."""


def file_digest(path: Path) -> str:
    """BLAKE2b of a file's bytes (blocking: run it in a thread)."""
    digest = hashlib.blake2b(digest_size=32)
    with path.open("rb") as f:
        while block := f.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


class FileHashes:
    """The file_hashes table of cache.db."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db

    async def get(self, file_path: str) -> tuple[str, int, str] | None:
        """(completed_at, size, digest) recorded for the file, if any."""
        row = await fetch_row(
            self._db,
            "SELECT completed_at, size, blake2b FROM file_hashes WHERE file_path = ?",
            (file_path,),
        )
        return (str(row[0]), int(row[1]), str(row[2])) if row is not None else None

    async def put(self, file_path: str, completed_at: str, size: int, digest: str) -> None:
        await self._db.execute(
            "INSERT OR REPLACE INTO file_hashes(file_path, completed_at, size, blake2b)"
            " VALUES (?, ?, ?, ?)",
            (file_path, completed_at, size, digest),
        )


class FileVerifier:
    """Hashes each file as its download completes; checks every completed file at start."""

    def __init__(self, db: aiosqlite.Connection, cache_dir: Path, redownload: Redownload) -> None:
        self._store = DownloadStore(db)
        self._hashes = FileHashes(db)
        self._cache_dir = cache_dir
        self._redownload = redownload
        self._fresh: asyncio.Queue[int] = asyncio.Queue()

    def completed(self, download_id: int) -> None:
        """A download listener's call: hash this one's file soon (its hash is the reference)."""
        self._fresh.put_nowait(download_id)

    async def run(self) -> None:
        """Check every completed file once, then hash each new one as it completes."""
        damaged = await self.verify_all()
        log.info("checked the hashes of downloaded files: %d damaged", damaged)
        while True:
            row = await self._store.get(await self._fresh.get())
            if row is not None and row.status == DownloadStatus.COMPLETED:
                await self._check(row)

    async def verify_all(self) -> int:
        """Check (or, when none is recorded, record) the hash of every completed file."""
        damaged = 0
        for row in await self._store.with_status([DownloadStatus.COMPLETED]):
            damaged += not await self._check(row)
        return damaged

    async def _check(self, row: Download) -> bool:
        """False when the file no longer has the bytes it completed with (then fetched again)."""
        if not row.file_path or not row.completed_at:
            return True
        try:
            path = absolute(self._cache_dir, row.file_path)
            digest = await asyncio.to_thread(file_digest, path)
        except (OSError, ValueError) as err:
            log.info("download %s: cannot hash %s (%s)", row.id, row.file_path, err)
            return True  # gone or unreadable: reconcile's size check deals with it next start
        recorded = await self._hashes.get(row.file_path)
        if recorded is None or recorded[0] != row.completed_at:
            try:
                await self._hashes.put(row.file_path, row.completed_at, row.file_size or 0, digest)
            except sqlite3.OperationalError as err:  # a full card: the next start hashes it
                log.warning("download %s: hash not recorded (%s)", row.id, err)
            return True
        if recorded[2] == digest:
            return True
        await self._redownload(row, "its bytes changed since it was downloaded (hash mismatch)")
        return False
