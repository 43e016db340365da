"""A stand-in for the service, run as a child process so a test can SIGKILL it mid-download.

Usage: python -m tests.cache.downloads.kill_child DB CACHE_DIR STATE_DIR URL ITEM_ID
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace
from pathlib import Path

import aiohttp

from cache.db import open_db
from cache.downloads import DownloadConfig, DownloadManager
from cache.jellyfin import JellyfinClient, JellyfinConfig, JellyfinState
from cache.schema import MIGRATIONS


async def main(db_path: str, cache_dir: str, state_dir: str, url: str, item_id: str) -> None:
    db = await open_db(Path(db_path), MIGRATIONS)
    async with aiohttp.ClientSession() as session:
        client = JellyfinClient(
            JellyfinConfig(url, "alice", "secret"), JellyfinState(Path(state_dir)), session
        )
        config = replace(DownloadConfig(), read_timeout=60.0)
        manager = DownloadManager(
            db, Path(cache_dir), {"jellyfin": client}, session=session, config=config
        )
        await manager.start()
        scheduler = asyncio.create_task(manager.run(), name="downloads-scheduler")
        await manager.download_item(item_id)
        print("queued", flush=True)
        await asyncio.sleep(120)  # bounded: the test kills us long before
        scheduler.cancel()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:6]))
