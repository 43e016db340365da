"""Stream-through: a track that must stream is fetched once, through tapedeck, into the cache as
it plays, so a dead zone after its bytes arrived is not silence, a replay is local and no byte is
fetched twice.

`MediaCache.resolve` hands mpv `url_for(track)`: the local endpoint (endpoint.py). The first
request opens a session, which asks the download manager to fetch the track now (streaming.py);
the endpoint serves the growing file. When no one has read a session for a while it ends:
- all bytes there: the file stays as a cached copy when the gate's rule for automatic copies
  allows it on this link and it fits the storage limit (`keeps`); otherwise (a metered link with
  `wifi_only`) it is dropped once the track has had time to play, so nothing is kept;
- not all there (a skip): the partial is left to the pre-cacher, whose plan resumes, holds or
  evicts it like any partial, when a copy may be kept now; otherwise it is dropped.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from cache.downloads import Download, DownloadEvent, DownloadEventKind, DownloadStatus, Origin
from cache.downloads.manager import DownloadManager
from cache.downloads.paths import absolute, part_path
from cache.errors import CacheError
from cache.models import ItemId, Track
from cache.streamthrough.endpoint import StreamEndpoint
from cache.streamthrough.session import StreamSession

log = logging.getLogger(__name__)

Lookup = Callable[[ItemId], Awaitable[Track | None]]
Fallback = Callable[[ItemId], Awaitable[str | None]]
_GONE = (DownloadEventKind.CANCELLED, DownloadEventKind.DELETED)


@dataclass(frozen=True, slots=True)
class StreamRules:
    """The settings and the gate, as the pre-cacher sees them now (installed by it)."""

    enabled: Callable[[], bool]  # the `stream_through` setting
    wait: Callable[[], str | None]  # why no stream can go through now (cache.gate.stream_wait)
    keeps: Callable[[Origin], bool]  # may a streamed file of this origin stay (cache.gate.keeps)


@dataclass(frozen=True, slots=True)
class StreamTimings:
    idle: float = 5.0  # seconds without a reader before a session ends
    linger: float = 10.0  # a file not kept stays this long past the track's length from its open
    revive: float = 5.0  # seconds between two asks for a failed download a reader waits for
    tick: float = 1.0  # seconds between two looks at the sessions
    stall_limit: float = 50.0  # a reader waits this long for a byte before its answer is cut
    max_readers: int = 8


class StreamThrough:
    """The sessions and the endpoint; `run()` ends idle sessions, for the life of the service."""

    def __init__(
        self,
        manager: DownloadManager,
        lookup: Lookup,
        fallback: Fallback,
        timings: StreamTimings | None = None,
    ) -> None:
        self._manager = manager
        self._lookup = lookup
        self._fallback = fallback
        self._timings = t = timings or StreamTimings()
        self.rules: StreamRules | None = None  # None: every stream goes straight to the server
        self.endpoint = StreamEndpoint(
            self._open, max_readers=t.max_readers, stall_limit=t.stall_limit
        )
        self._sessions: dict[ItemId, StreamSession] = {}
        self._revived: dict[ItemId, float] = {}

    async def start(self) -> None:
        await self.endpoint.start()

    async def stop(self) -> None:
        await self.endpoint.stop()
        for session in self._sessions.values():
            session.close()

    def url_for(self, track: Track) -> str | None:
        """Where mpv should read `track` from while it streams, or None: straight from the
        server (stream-through off, or no stream can go through the cache now)."""
        rules = self.rules
        if rules is None or not rules.enabled() or rules.wait() is not None or track.size <= 0:
            return None
        return self.endpoint.url(track.id)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self._timings.tick)
            await self._age(time.monotonic())

    def download_event(self, event: DownloadEvent) -> None:
        """The download manager's events for the rows being streamed."""
        row = event.download
        session = self._sessions.get(ItemId(row.item_id))
        if session is None or session.download_id != row.id:
            return
        if event.kind is DownloadEventKind.COMPLETED:
            session.complete = True
            session.keep = self.rules is not None and self.rules.keeps(session.origin)
        session.failed = event.kind is DownloadEventKind.FAILED
        session.gone = session.gone or event.kind in _GONE
        session.grew.set()

    # --- sessions --------------------------------------------------------------------------

    async def _open(self, item_id: ItemId) -> StreamSession | str | None:
        session = self._sessions.get(item_id)
        if session is not None and not session.gone:
            return session
        try:
            track = await self._lookup(item_id)
            row = await self._manager.streams.open(item_id)
        except CacheError as err:
            log.info("%s streams from the server, not through the cache: %s", item_id, err)
            return await self._fallback(item_id)
        session = self._session(row, track)
        if session is None:
            await self._manager.streams.release(row.id, item_id, drop=False)
            return await self._fallback(item_id)
        self._sessions[item_id] = session  # from here on its events reach it
        try:
            now = await self._manager.get(row.id)  # it may have completed meanwhile
        except CacheError:
            return session
        if now.status == DownloadStatus.COMPLETED and not session.complete:
            self.download_event(DownloadEvent(DownloadEventKind.COMPLETED, now))
        return session

    def _session(self, row: Download, track: Track | None) -> StreamSession | None:
        size = row.file_size or (track.size if track is not None else 0)
        if not size or row.file_path is None:
            return None
        final = absolute(self._manager.cache_dir, row.file_path)
        mime = row.mime_type or mimetypes.guess_type(final.name)[0] or "application/octet-stream"
        complete = row.status == DownloadStatus.COMPLETED
        return StreamSession(
            ItemId(row.item_id), row.id, row.origin, size,
            track.duration if track is not None else 0.0, mime, part_path(final), final,
            complete=complete,
        )  # fmt: skip

    async def _age(self, now: float) -> None:
        for session in list(self._sessions.values()):
            if session.readers:
                await self._revive(session, now)
            elif self._over(session, now):
                await self._end(session)

    def _over(self, session: StreamSession, now: float) -> bool:
        if now - session.last_seen < self._timings.idle:
            return False
        if session.complete and not session.keep:
            # a player may still read what it was given; the track has had time to play
            return now >= session.opened_at + session.duration + self._timings.linger
        return True

    async def _revive(self, session: StreamSession, now: float) -> None:
        """A reader waits for a download that gave up (the server was away too long)."""
        last = self._revived.get(session.item_id, 0.0)
        if not session.failed or now - last < self._timings.revive:
            return
        self._revived[session.item_id] = now
        try:
            await self._manager.streams.open(session.item_id)
            session.failed = False
        except CacheError as err:
            log.info("stream of %s not resumed: %s", session.item_id, err)

    async def _end(self, session: StreamSession) -> None:
        self._sessions.pop(session.item_id, None)
        self._revived.pop(session.item_id, None)
        session.close()
        if session.complete:
            drop = not session.keep
        else:
            drop = self.rules is None or not self.rules.keeps(session.origin)
        try:
            await self._manager.streams.release(session.download_id, session.item_id, drop=drop)
        except CacheError as err:
            log.info("stream of %s not released: %s", session.item_id, err)
