"""JellyfinRemote: the requests of a Jellyfin app, handled in order, as the player's Commands.

The session (cache/jellyfin/remote/session.py) hands each request to `offer`, which only queues it,
so the socket is never held up by the player or by a catalogue lookup. One task (`run`) resolves
item ids, submits the Commands and then asks the play reporter for a report at once, so the app's
remote shows the new state without waiting for the next periodic progress.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Protocol

from cache.errors import CacheError
from cache.jellyfin.remote.items import CastItems
from cache.jellyfin.remote.messages import DisplayMessage, PlayItems, RemoteRequest
from cache.models import ItemId
from player.jfremote.events import RemoteProblem
from player.jfremote.translate import PlayerView, commands_for, play_commands
from player.playback import commands as c
from player.playback.controller import PlayerController
from player.playback.queue import QueueError

log = logging.getLogger(__name__)
Publish = Callable[[object], None]


class CastItemsSource(Protocol):
    """Item ids as tracks (cache/jellyfin/remote/items.py's CastResolver)."""

    async def resolve(self, ids: Sequence[ItemId]) -> CastItems: ...


class LiveReports(Protocol):
    """The play reporter's hook for a report at once (cache/jellyfin/reporting.py)."""

    def report_now(self) -> None: ...


class JellyfinRemote:
    """Owns the inbox between the socket and the player."""

    def __init__(
        self,
        controller: PlayerController,
        items: CastItemsSource,
        reporter: LiveReports | None,
        publish: Publish,
        *,
        inbox_size: int = 64,
    ) -> None:
        self._controller = controller
        self._items = items
        self._reporter = reporter
        self._publish = publish
        self._inbox: asyncio.Queue[RemoteRequest] = asyncio.Queue(inbox_size)

    def offer(self, request: RemoteRequest) -> None:
        """The session's sink: queue the request (a flood beyond the inbox is dropped, logged)."""
        try:
            self._inbox.put_nowait(request)
        except asyncio.QueueFull:
            log.warning("Jellyfin remote requests arrive faster than they are handled; dropped one")

    async def run(self) -> None:
        """Handle requests one at a time, for the life of the service."""
        while True:
            request = await self._inbox.get()
            try:
                await self.handle(request)
            except Exception:  # the inbox loop: one bad request must not end remote control
                log.exception("could not handle the Jellyfin request %r", request)

    async def handle(self, request: RemoteRequest) -> None:
        if isinstance(request, DisplayMessage):
            self._publish(request)
            return
        if isinstance(request, PlayItems):
            commands = await self._play(request)
        else:
            commands = commands_for(request, self.view())
        for command in commands:
            if not await self._submit(command):
                break
        if commands and self._reporter is not None:
            self._reporter.report_now()

    async def _play(self, request: PlayItems) -> list[c.Command]:
        found = await self._items.resolve(request.item_ids)
        if found.unknown:
            log.warning("a Jellyfin app cast %d items unknown here: %s", len(found.unknown),
                        ", ".join(found.unknown[:5]))  # fmt: skip
        if not found.tracks:
            self._publish(
                RemoteProblem("not_found", "Nothing that was cast from Jellyfin could be found.")
            )
        elif found.unknown:
            missing = len(found.unknown)
            self._publish(
                RemoteProblem(
                    "not_found",
                    f"{missing} of the cast tracks could not be found; playing the rest.",
                )
            )
        return play_commands(request, found.tracks, found.unknown, self.view())

    async def _submit(self, command: c.Command) -> bool:
        try:
            await self._controller.submit(command)
        except (QueueError, ValueError, CacheError) as err:
            log.warning("a Jellyfin request could not be done (%r): %s", command, err)
            return False
        return True

    def view(self) -> PlayerView:
        p = self._controller
        duration = (
            p.duration
            if p.duration is not None
            else (p.queue.current.duration if p.queue.current else None)
        )
        return PlayerView(
            p.state, p.position, duration or None, p.volume, p.muted, len(p.queue.entries)
        )
