"""The library as MPD's database: songs by URI, the folder tree, and the browsable views.

`lsinfo` shows the local music folder's own folders plus two virtual ones, `Albums/<album>` and
`Artists/<artist>/<album>`, which also hold the tracks of other sources (Jellyfin). A snapshot
is read from the catalogue and kept until the catalogue's fingerprint moves (looked at no more
than every `check_every` seconds: a scan, a Jellyfin sync) or `invalidate()`.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from cache.models import SourceKind, Track
from player.mpd.protocol import AckCode, AckError
from player.mpd.songs import REMOTE_PREFIX, Song, make_song

ALBUMS, ARTISTS = "Albums", "Artists"
TrackRows = Callable[[], Awaitable[list[tuple[Track, str | None, int | None]]]]
Fingerprint = Callable[[], Awaitable[object]]


@dataclass
class Folder:
    folders: set[str] = field(default_factory=set)  # full paths of the child folders
    songs: list[Song] = field(default_factory=list)


class Snapshot:
    """One immutable reading of the catalogue."""

    def __init__(self, rows: Sequence[tuple[Track, str | None, int | None]], when: float) -> None:
        songs = [make_song(track, path, mtime) for track, path, mtime in rows]
        local = sorted((s for s in songs if s.track.source is SourceKind.LOCAL), key=_uri_key)
        remote = [s for s in songs if s.track.source is not SourceKind.LOCAL]
        self.songs: list[Song] = local + remote
        self.by_uri = {s.uri: s for s in self.songs}
        self.by_id = {s.track.id: s for s in self.songs}
        self.folders = _tree(local)
        self.albums: dict[str, list[Song]] = defaultdict(list)
        self.artists: dict[str, dict[str, list[Song]]] = defaultdict(lambda: defaultdict(list))
        for song in self.songs:
            t = song.track
            self.albums[t.album].append(song)
            self.artists[t.album_artist or (t.artists[0] if t.artists else "")][t.album].append(
                song
            )
        self.updated = when
        self.playtime = round(sum(s.track.duration for s in self.songs))

    def song(self, track: Track) -> Song:
        """The song of a queued track (also one the catalogue no longer has)."""
        found = self.by_id.get(track.id)
        return found if found is not None else make_song(track, None, None)

    def resolve(self, uri: str) -> list[Song]:
        """The songs a URI names: a file, a folder (recursively) or a virtual folder."""
        uri = uri.strip("/")
        if uri in self.by_uri:
            return [self.by_uri[uri]]
        if uri == "":
            return list(self.songs)  # each song once, not again through Albums/ and Artists/
        folders, songs = self.listing(uri)
        found = list(songs)
        for sub in sorted(folders):
            found += self.resolve(sub)
        return found

    def listing(self, uri: str) -> tuple[list[str], list[Song]]:
        """(child folders, songs) of a folder; ACK "No such directory" when there is none."""
        uri = uri.strip("/")
        head, _, rest = uri.partition("/")
        if head == ALBUMS and uri not in self.folders:
            return self._albums_listing(rest)
        if head == ARTISTS and uri not in self.folders:
            return self._artists_listing(rest)
        folder = self.folders.get(uri)
        if folder is None:
            raise AckError(AckCode.NO_EXIST, "No such directory")
        extra = [ALBUMS, ARTISTS] if uri == "" else []
        return sorted(folder.folders) + extra, folder.songs

    def _albums_listing(self, album: str) -> tuple[list[str], list[Song]]:
        if not album:
            return [f"{ALBUMS}/{name}" for name in sorted(self.albums) if "/" not in name], []
        if album not in self.albums:
            raise AckError(AckCode.NO_EXIST, "No such directory")
        return [], self.albums[album]

    def _artists_listing(self, rest: str) -> tuple[list[str], list[Song]]:
        artist, _, album = rest.partition("/")
        if not artist:
            names = sorted(a for a in self.artists if a and "/" not in a)
            return [f"{ARTISTS}/{name}" for name in names], []
        albums = self.artists.get(artist)
        if albums is None:
            raise AckError(AckCode.NO_EXIST, "No such directory")
        if not album:
            return [f"{ARTISTS}/{artist}/{t}" for t in sorted(albums) if "/" not in t], []
        if album not in albums:
            raise AckError(AckCode.NO_EXIST, "No such directory")
        return [], albums[album]


def _uri_key(song: Song) -> str:
    return song.uri


def _tree(local: Sequence[Song]) -> dict[str, Folder]:
    folders: dict[str, Folder] = {"": Folder()}
    for song in local:
        parent = song.uri.rpartition("/")[0]
        folders.setdefault(parent, Folder()).songs.append(song)
        while parent:
            grand = parent.rpartition("/")[0]
            above = folders.setdefault(grand, Folder())
            if parent in above.folders:
                break
            above.folders.add(parent)
            parent = grand
    return folders


CHECK_EVERY = 2.0  # seconds a read snapshot is used before the catalogue's fingerprint is read


class Database:
    """The current Snapshot, re-read from the catalogue when it changed (one reader at a time).

    A snapshot nobody used for `keep_for` seconds is let go (a board has little memory and a
    polling `status` never needs it); the fingerprint is still watched, so idlers hear
    "database" whenever the catalogue changes.
    """

    def __init__(
        self,
        rows: TrackRows,
        fingerprint: Fingerprint,
        *,
        check_every: float = CHECK_EVERY,
        keep_for: float = 300.0,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self._rows, self._fingerprint = rows, fingerprint
        self._check_every, self._keep_for = check_every, keep_for
        self._on_change = on_change
        self._snapshot: Snapshot | None = None
        self._seen: object = None
        self._used = 0.0
        self._lock = asyncio.Lock()

    async def current(self) -> Snapshot:
        self._used = time.monotonic()
        snap = self._snapshot
        if snap is not None and self._used - snap.updated < self._check_every:
            return snap
        async with self._lock:
            snap = self._snapshot
            if snap is not None and time.monotonic() - snap.updated < self._check_every:
                return snap
            changed = await self._check()
            if snap is not None and not changed:
                snap.updated = time.monotonic()
                return snap
            self._snapshot = Snapshot(await self._rows(), time.monotonic())
            return self._snapshot

    async def _check(self) -> bool:
        """Read the fingerprint; True (and "database" announced) when it moved."""
        fingerprint = await self._fingerprint()
        changed = fingerprint != self._seen
        if changed and self._seen is not None and self._on_change is not None:
            self._on_change()
        self._seen = fingerprint
        return changed

    def invalidate(self) -> None:
        """Look at the catalogue's fingerprint on the next use (after our own update)."""
        if self._snapshot is not None:
            self._snapshot.updated = -1e9

    async def watch(self, every: float) -> None:
        """Look for changes made elsewhere (a Jellyfin sync) so idlers hear "database" even
        while no client asks anything, and let an unused snapshot go; a supervised task."""
        while True:
            await asyncio.sleep(every)
            async with self._lock:
                if time.monotonic() - self._used > self._keep_for:
                    self._snapshot = None
                if await self._check() and self._snapshot is not None:
                    self._snapshot.updated = -1e9  # re-read on the next use


def is_remote(uri: str) -> bool:
    return uri.startswith(REMOTE_PREFIX)
