"""PlayReporter: every track start goes into the play log; Jellyfin hears of its own tracks.

While the server answers, a play is reported live (`/Sessions/Playing`, `.../Progress` every
`progress_interval` seconds and at once on pause, resume and seek, `.../Stopped` at the end), and the
play is marked reported. A play whose live start report failed stays owed: it gets no Progress or
Stopped (a Stopped near the end could count it a second time) and is later replayed once with its
real start time through `POST /UserPlayedItems/{id}?datePlayed=...`.

The event methods only queue a message, so the player never waits on the network or the disk;
one task (`run`) does all the I/O in order, logging errors instead of raising them.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from cache.errors import CacheError, SourceBadRequestError, SourceError, SourceNotFoundError
from cache.jellyfin.playstate import PlaybackState, PlayerExtras, PlayMethod
from cache.jellyfin.reportmsgs import (
    Change,
    End,
    Nudge,
    PlaySession,
    Replay,
    ReportMessage,
    Start,
    Tick,
)
from cache.models import ItemId, SourceKind, Track
from cache.planner.snapshot import NetworkKind
from cache.plays import OwedPlay, PlayLog
from cache.timeouts import within

log = logging.getLogger(__name__)


class PlaystateClient(Protocol):
    """What the reporter needs of a Jellyfin client (JellyfinClient implements it)."""

    async def report_playing(self, state: PlaybackState) -> None: ...

    async def report_progress(self, state: PlaybackState) -> None: ...

    async def report_stopped(self, state: PlaybackState, *, failed: bool = False) -> None: ...

    async def mark_played(self, item_id: ItemId, date_played: datetime) -> None: ...


class PlayReporter:
    """Turns play events into play-log rows and Jellyfin reports, from one task of its own."""

    def __init__(
        self,
        plays: PlayLog,
        client: PlaystateClient | None,
        *,
        progress_interval: float = 10.0,
        replay_interval: float = 300.0,
        replay_batch: int = 100,
        extras: Callable[[], PlayerExtras] | None = None,
    ) -> None:
        self._plays = plays
        self._client = client
        self._progress_interval = progress_interval
        self._replay_interval = replay_interval
        self._replay_batch = replay_batch
        self._extras = extras  # queue, volume and modes, read when each report goes out
        self._inbox: asyncio.Queue[ReportMessage] = asyncio.Queue()
        self._session: PlaySession | None = None
        self._next_progress: float | None = None
        self._next_replay = 0.0  # plays owed from earlier runs go out as soon as `run` starts
        self._live: set[int] = set()  # plays whose live start report is under way
        self._replay_lock = asyncio.Lock()
        self._maybe_owed = True  # a live start failed since the last complete replay

    # -- events (called on the loop thread; they never wait) --------------------------------
    def track_started(
        self,
        track: Track,
        *,
        at: datetime,
        network: NetworkKind = NetworkKind.UNKNOWN,
        from_local: bool = False,
        position: float = 0.0,
        paused: bool = False,
        playlist_item_id: str | None = None,
    ) -> None:
        """A track started at wall-clock time `at` (timezone-aware), from queue entry
        `playlist_item_id` when the player has one."""
        start = Start(track, at, network, from_local, position, paused, playlist_item_id)
        self._inbox.put_nowait(start)

    def paused(self, position: float) -> None:
        self._inbox.put_nowait(Change(position, True))

    def resumed(self, position: float) -> None:
        self._inbox.put_nowait(Change(position, False))

    def seeked(self, position: float) -> None:
        self._inbox.put_nowait(Change(position, None))

    def track_ended(self, position: float, *, failed: bool = False) -> None:
        """The current track finished, was skipped or stopped (`failed`: it broke off in error)."""
        self._inbox.put_nowait(End(position, failed))

    def report_now(self) -> None:
        """A remote command took effect: send a progress report now, so the app's remote is live."""
        self._inbox.put_nowait(Nudge())

    def server_reachable(self) -> None:
        """The media server answers again: replay the owed plays now (the network watcher's hook)."""
        self._inbox.put_nowait(Replay())

    # -- the task -----------------------------------------------------------------------------
    async def run(self) -> None:
        """Handle messages and timers, in order, for the life of the service."""
        while True:
            message = await self._next_message()
            try:
                await self._handle(message)
            except (CacheError, sqlite3.Error) as err:
                # A server or a database that fails one report must not end reporting for good
                # (anything else is a bug: the supervisor logs the task's death with its name).
                log.warning("play reporting could not handle %r: %s", message, err)

    async def _next_message(self) -> ReportMessage:
        due = self._next_replay
        if self._next_progress is not None:
            due = min(due, self._next_progress)
        timeout = max(0.0, due - time.monotonic())
        try:
            return await within(self._inbox.get(), timeout)
        except TimeoutError:
            return Tick()

    async def _handle(self, message: ReportMessage) -> None:
        if isinstance(message, Start):
            await self._start(message)
        elif isinstance(message, Change):
            await self._change(message)
        elif isinstance(message, End):
            await self._end(message)
        elif isinstance(message, Replay):
            await self._replay_now()
        elif isinstance(message, Nudge):
            if self._session is not None and self._session.live:
                await self._send_progress(self._session, self._session.now())
        else:
            await self._tick()

    async def _start(self, msg: Start) -> None:
        if self._session is not None:  # no end was seen: close the old session first
            await self._end(End(self._session.now().position, False))
        play_id = await self._record(msg)
        method = PlayMethod.DIRECT_PLAY if msg.from_local else PlayMethod.DIRECT_STREAM
        state = PlaybackState(
            msg.track.id, uuid.uuid4().hex, msg.position, msg.paused, method,
            playlist_item_id=msg.playlist_item_id,
        )  # fmt: skip
        session = PlaySession(play_id, state, msg.track.duration, time.monotonic())
        self._session = session
        if self._client is None or msg.track.source is not SourceKind.JELLYFIN:
            return
        if msg.network is NetworkKind.OFFLINE:
            self._maybe_owed = True
            return
        session.live = await self._report_start(self._client, play_id, state)
        if session.live:
            self._schedule_progress()
            if self._maybe_owed:
                await self._replay_now()

    async def _record(self, msg: Start) -> int | None:
        try:
            return await self._plays.record(
                msg.track, at=msg.at, network=msg.network, from_local=msg.from_local
            )
        except (sqlite3.Error, ValueError) as err:
            log.error("could not log the play of %s: %s", msg.track.title, err)
            return None

    async def _report_start(
        self, client: PlaystateClient, play_id: int | None, state: PlaybackState
    ) -> bool:
        # Until it is marked, the row looks owed; `_live` keeps a concurrent replay off it.
        if play_id is not None:
            self._live.add(play_id)
        try:
            if not await _sent(client.report_playing(self._with_extras(state)), "start"):
                self._maybe_owed = True
                return False
            if play_id is not None:
                await self._plays.mark_reported(play_id)
            return True
        finally:
            if play_id is not None:
                self._live.discard(play_id)

    async def _change(self, msg: Change) -> None:
        session = self._session
        if session is None:
            return
        session.update(msg.position, msg.paused)
        if session.live:
            await self._send_progress(session, session.state)

    async def _end(self, msg: End) -> None:
        session, self._session = self._session, None
        self._next_progress = None
        if session is None or not session.live or self._client is None:
            return
        session.update(msg.position, None)
        state = self._with_extras(session.state)
        await _sent(self._client.report_stopped(state, failed=msg.failed), "stop")

    async def _tick(self) -> None:
        now = time.monotonic()
        session = self._session
        if self._next_progress is not None and now >= self._next_progress:
            self._next_progress = None
            if session is not None and session.live and not session.state.paused:
                await self._send_progress(session, session.now())
        if now >= self._next_replay:
            await self._replay_now()

    async def _send_progress(self, session: PlaySession, state: PlaybackState) -> None:
        if self._client is not None:
            await _sent(self._client.report_progress(self._with_extras(state)), "progress")
        self._next_progress = None
        if not session.state.paused:
            self._schedule_progress()

    def _with_extras(self, state: PlaybackState) -> PlaybackState:
        return state if self._extras is None else replace(state, extras=self._extras())

    def _schedule_progress(self) -> None:
        self._next_progress = time.monotonic() + self._progress_interval

    async def _replay_now(self) -> None:
        self._next_replay = time.monotonic() + self._replay_interval
        await self.replay_owed()

    # -- owed plays -----------------------------------------------------------------------------
    async def replay_owed(self) -> int:
        """Tell the server of every owed play, once each, with its real start time.

        Stops at the first sign the server is unreachable (the rest stay owed). Concurrent calls
        are serialised, and a play whose live report is under way is left alone, so no play is
        ever posted twice. Returns how many owed plays were settled (posted, or dropped because
        the server no longer knows the item).
        """
        if self._client is None:
            return 0
        async with self._replay_lock:
            replayed = 0
            while True:
                rows = await self._plays.owed(self._replay_batch)
                todo = [p for p in rows if p.id not in self._live]
                for play in todo:
                    if play.id in self._live:  # its live report started while we were busy
                        continue
                    if not await self._replay_one(self._client, play):
                        return replayed
                    replayed += 1
                if len(rows) < self._replay_batch or not todo:
                    self._maybe_owed = False
                    if replayed:
                        log.info("replayed %d plays made while the server was away", replayed)
                    return replayed

    async def _replay_one(self, client: PlaystateClient, play: OwedPlay) -> bool:
        try:
            await client.mark_played(play.item_id, play.started_at)
        except (SourceNotFoundError, SourceBadRequestError) as err:
            # It will never be accepted (the item left the server): drop it rather than retry forever.
            log.warning("dropping the owed play of %s: %s", play.item_id, err)
        except SourceError as err:
            log.info("owed plays not replayed yet: %s", err)
            return False
        await self._plays.mark_reported(play.id)
        return True


async def _sent(request: Awaitable[None], what: str) -> bool:
    """Await a report; False (logged) when the server could not take it."""
    try:
        await request
    except SourceError as err:
        log.info("Jellyfin %s report not sent: %s", what, err)
        return False
    return True
