"""Turning a request for an item or an album into rows: new ones queued, existing ones adopted."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from cache.downloads.announce import Announcer
from cache.downloads.models import Download, DownloadEventKind, Origin
from cache.downloads.paths import relative_media_path
from cache.downloads.scheduler import Scheduler
from cache.downloads.source import Sources, TranscodeSource
from cache.downloads.store import DownloadStore, NewDownload
from cache.errors import NotFoundError
from cache.models import AlbumId, ItemId, Track
from cache.quality import ORIGINAL, Profile, choose

ProfileFor = Callable[[Origin], Profile | None]
"""The transcode target in force for a new copy of this origin (None: the original)."""


class Requests:
    """download_item and download_album of the manager."""

    def __init__(
        self, store: DownloadStore, sources: Sources, out: Announcer, sched: Scheduler
    ) -> None:
        self._store = store
        self._sources = sources
        self._out = out
        self._sched = sched
        self.profile_for: ProfileFor = lambda origin: None

    async def item(
        self,
        item_id: str,
        priority: int,
        origin: Origin,
        source: str | None,
        *,
        original: bool = False,
    ) -> tuple[Download, bool]:
        """(download, created) for one item; `original`: a new row fetches the original (a
        stream), whatever the transcode settings say."""
        existing = await self._store.get_by_item(item_id)
        if existing is None:
            track = await self._sources.track(ItemId(item_id), source)
            return await self._queue(track, priority, origin, original)
        return await self._adopt(existing, priority, origin), False

    async def album(
        self, album_id: str, priority: int, origin: Origin, source: str | None
    ) -> list[Download]:
        """Every track of an album in disc/track order."""
        tracks = await self._sources.album_tracks(AlbumId(album_id), source)
        if not tracks:
            raise NotFoundError(f"album {album_id} has no tracks")
        result = []
        for track in tracks:
            existing = await self._store.get_by_item(track.id)
            if existing is None:
                result.append((await self._queue(track, priority, origin))[0])
            else:
                result.append(await self._adopt(existing, priority, origin))
        return result

    def _target(self, source: object, track: Track, origin: Origin) -> Profile | None:
        """The copy to make: a transcode only from a source that can, of a file worth it."""
        if not isinstance(source, TranscodeSource):
            return None
        return choose(self.profile_for(origin), track)

    async def _queue(
        self, track: Track, priority: int, origin: Origin, original: bool = False
    ) -> tuple[Download, bool]:
        source = self._sources.get(track.source.value)
        target = None if original else self._target(source, track, origin)
        container = track.container if target is None else target.extension
        new = NewDownload(
            item_id=track.id,
            user_id=source.user_id,
            source=track.source.value,
            origin=origin,
            title=track.title,
            album=track.album,
            album_id=track.album_id,
            # a transcode's size is bitrate x duration until it exists (planner and storage)
            file_size=(track.size if target is None else target.expected_size(track.duration))
            or None,
            file_path=relative_media_path(track.source.value, track.id, container),
            priority=priority,
            quality=ORIGINAL if target is None else str(target),
        )
        async with self._sched.lock:
            try:
                row = await self._store.insert(new)
            except sqlite3.IntegrityError:
                # Someone queued the same item while we looked its metadata up.
                existing = await self._store.get_by_item(track.id)
                if existing is None:
                    raise
                return self._out.view(existing), False
        self._sched.wake()
        return self._out.announce(DownloadEventKind.QUEUED, row), True

    async def _adopt(self, row: Download, priority: int, origin: Origin) -> Download:
        """A request for an item that has a row: a user's request pins an automatic copy."""
        changes: dict[str, object] = {"cleared_at": None}
        if origin == Origin.USER and row.origin == Origin.AUTO:
            changes["origin"] = Origin.USER
        if priority > row.priority:
            changes["priority"] = priority
        return self._out.view(await self._store.update(row.id, **changes) or row)
