"""What every MPD command handler may use: the shared parts and one connection's own state."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from cache.covers import Image
from player.mpd.database import Database
from player.mpd.idle import IdleClient, IdleHub, Subsystem
from player.mpd.protocol import AckCode, AckError, Answer
from player.mpd.settings import MpdConfig
from player.mpd.songs import TAG_NAMES
from player.playback import commands as c
from player.playback.controller import PlayerController
from player.playback.library import Library
from player.playback.queue import QueueError

Spawn = Callable[[str, Coroutine[Any, Any, Any]], object]


class Updater:
    """`update`: one library scan at a time, numbered like MPD's jobs, announced to idlers."""

    def __init__(
        self, scan: Callable[[], Awaitable[object]], spawn: Spawn, hub: IdleHub, db: Database
    ) -> None:
        self._scan, self._spawn, self._hub, self._db = scan, spawn, hub, db
        self.job: int | None = None
        self._last = 0
        self.finished_at = time.time()

    def start(self) -> int:
        if self.job is not None:
            return self.job
        self._last += 1
        self.job = self._last
        self._hub.publish(Subsystem.UPDATE)
        self._spawn(f"mpd-update-{self.job}", self._run())
        return self.job

    async def _run(self) -> None:
        try:
            await self._scan()
        finally:
            self.job = None
            self.finished_at = time.time()
            self._db.invalidate()
            self._hub.publish(Subsystem.UPDATE)
        await self._db.current()  # announces "database" when the scan changed something


class CoverCache:
    """The last few covers, so a picture fetched in chunks is read once, not once per chunk."""

    def __init__(self, library: Library, size: int = 8) -> None:
        self._library = library
        self._size = size
        self._covers: OrderedDict[str, Image | None] = OrderedDict()

    async def get(self, album_id: str) -> Image | None:
        if album_id in self._covers:
            self._covers.move_to_end(album_id)
            return self._covers[album_id]
        image = await self._library.cover(album_id)
        self._covers[album_id] = image
        while len(self._covers) > self._size:
            self._covers.popitem(last=False)
        return image


@dataclass
class Deck:
    """The shared parts, one per server."""

    controller: PlayerController
    library: Library
    database: Database
    hub: IdleHub
    updater: Updater
    config: MpdConfig
    covers: CoverCache
    started: float = field(default_factory=time.monotonic)

    async def submit(self, command: c.Command) -> None:
        """Send a command to the player; its refusals become ACKs."""
        try:
            await self.controller.submit(command)
        except (QueueError, ValueError) as err:
            raise AckError(AckCode.ARG, str(err)) from None


@dataclass
class Client:
    """One connection's own state."""

    idle: IdleClient
    authenticated: bool
    tags: frozenset[str] = frozenset(TAG_NAMES)
    binary_limit: int = 8192
    closing: bool = False


Handler = Callable[[Deck, Client, list[str], Answer], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Spec:
    handler: Handler
    min_args: int
    max_args: int | None  # None: any number
    public: bool = False  # allowed before the password


COMMANDS: dict[str, Spec] = {}


def command(
    name: str, min_args: int = 0, max_args: int | None = 0, *, public: bool = False
) -> Callable[[Handler], Handler]:
    """Register a handler for `name` (arguments counted after the command word)."""

    def register(handler: Handler) -> Handler:
        COMMANDS[name] = Spec(handler, min_args, max_args, public)
        return handler

    return register
