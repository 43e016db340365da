"""Songs as MPD sees them: a URI, tag values, and the `file:` blocks of answers."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from dataclasses import dataclass

from cache.models import SourceKind, Track
from player.mpd.protocol import Answer

# The tags tapedeck knows, in MPD's fixed `tagtypes` order (clients such as M.A.L.P. read it in
# order); MPD's others (ArtistSort, Genre, Composer, MusicBrainz ids...) are not in the catalogue.
TAG_NAMES = ("Artist", "Album", "AlbumArtist", "Title", "Track", "Date", "Disc")
_BY_LOWER = {name.lower(): name for name in TAG_NAMES}
# Inside a song block MPD keeps the file's order; this is the usual order of tagged files.
_BLOCK_ORDER = ("Title", "Artist", "Album", "AlbumArtist", "Track", "Date", "Disc")
REMOTE_PREFIX = "tapedeck/"


def canonical_tag(name: str) -> str | None:
    """The tag's spelling in answers, from any case; None when tapedeck has no such tag."""
    return _BY_LOWER.get(name.lower())


@dataclass(frozen=True, slots=True)
class Song:
    """A track and its URI. Tags and dates are worked out when asked: a snapshot of a 50,000-track
    library keeps only these three references per song."""

    uri: str
    track: Track
    mtime_ns: int | None = None  # the file's (local files only)
    name: str | None = None  # a live stream's own name (MPD's `Name:`, a radio station's)

    @property
    def tags(self) -> Mapping[str, tuple[str, ...]]:
        return _tags(self.track)

    @property
    def modified(self) -> str | None:
        """ISO 8601 of the file's mtime."""
        return _iso(self.mtime_ns)


def uri_of(track: Track, local_path: str | None) -> str:
    """A local file's path under the music folder, else the stable `tapedeck/<source>/<id>`."""
    if track.source is SourceKind.LOCAL and local_path:
        return local_path
    return f"{REMOTE_PREFIX}{track.source}/{track.id}"


def make_song(track: Track, local_path: str | None, mtime_ns: int | None) -> Song:
    return Song(uri_of(track, local_path), track, mtime_ns)


def playing_song(song: Song, stream_title: str | None) -> Song:
    """The current song as MPD shows a playing stream: a station's name as `Name`, and the
    stream's own title (radio's ICY StreamTitle) as `Title` once it sends one."""
    if song.track.source is not SourceKind.RADIO:
        return song
    station = song.track.title
    track = dataclasses.replace(song.track, title=stream_title or station)
    return dataclasses.replace(song, track=track, name=station)


def _tags(t: Track) -> dict[str, tuple[str, ...]]:
    values: dict[str, tuple[str, ...]] = {
        "Artist": t.artists,
        "Album": (t.album,) if t.album else (),
        "AlbumArtist": (t.album_artist,) if t.album_artist else (),
        "Title": (t.title,) if t.title else (),
        "Track": (str(t.track_number),) if t.track_number is not None else (),
        "Date": (str(t.year),) if t.year is not None else (),
        "Disc": (str(t.disc_number),) if t.disc_number is not None else (),
    }
    return {name: found for name, found in values.items() if found}


def _iso(mtime_ns: int | None) -> str | None:
    if mtime_ns is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(mtime_ns / 1e9))


def write_song(out: Answer, song: Song, enabled: frozenset[str]) -> None:
    """The `file:` block of one song (without Pos/Id), only with the client's enabled tags."""
    out.add("file", song.uri)
    if song.modified is not None:
        out.add("Last-Modified", song.modified)
    for name in _BLOCK_ORDER:
        if name in enabled:
            for value in song.tags.get(name, ()):
                out.add(name, value)
    if song.name is not None:
        out.add("Name", song.name)
    duration = song.track.duration
    out.add("Time", round(duration))
    out.add("duration", f"{duration:.3f}")


def write_entry(out: Answer, song: Song, enabled: frozenset[str], pos: int, song_id: int) -> None:
    """A queue entry: the song block, then its position and id."""
    write_song(out, song, enabled)
    out.add("Pos", pos)
    out.add("Id", song_id)
