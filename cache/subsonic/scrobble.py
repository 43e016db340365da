"""Plays of Subsonic tracks told to the server as `scrobble?submission=true`, each once, with the
time it started.

The play log (cache/plays.py) records every start, a Subsonic one as owed, the same moment and
rule as a Jellyfin play is counted (its start report). This task sends what is owed, oldest first:
soon after each start, every `interval` seconds, and when the server is back. A play made while
the server was away simply stays owed until then, and carries its real `time`.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3

from cache.errors import CacheError
from cache.models import SourceKind
from cache.plays import PlayLog
from cache.subsonic.client import SubsonicClient
from cache.subsonic.convert import server_id
from cache.timeouts import woken

log = logging.getLogger(__name__)


class Scrobbler:
    """Drains the owed Subsonic plays to the server from one task (`run`)."""

    def __init__(
        self, plays: PlayLog, client: SubsonicClient, *, interval: float = 60.0, settle: float = 1.0
    ) -> None:
        self._plays = plays
        self._client = client
        self._interval = interval
        self._settle = settle  # the play log writes the start a moment after the event
        self._wake = asyncio.Event()

    def nudge(self) -> None:
        """A Subsonic track started, or the server answers again: send what is owed soon."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            await woken(self._wake, self._interval)
            if self._wake.is_set():
                self._wake.clear()
                await asyncio.sleep(self._settle)
            try:
                await self.send_owed()
            except sqlite3.Error as err:  # the play log is unreadable for now: try again later
                log.error("could not read the owed Subsonic plays: %s", err)

    async def send_owed(self) -> int:
        """Scrobble every owed play; stops at the first failure (the server is away). Returns
        how many went out."""
        sent = 0
        for play in await self._plays.owed(source=SourceKind.SUBSONIC):
            time_ms = int(play.started_at.timestamp() * 1000)
            try:
                await self._client.scrobble(server_id(play.item_id), time_ms)
            except CacheError as err:
                log.info("Subsonic scrobble of %s waits: %s", play.item_id, err)
                self._client.forget_server()
                break
            await self._plays.mark_reported(play.id)
            sent += 1
        return sent
