"""Catalogue rows: the records sources write, their JSON for the batch upserts, the SQL of
those upserts (unchanged rows are not written), and turning result rows back into models."""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from cache.models import Album, AlbumId, Availability, ItemId, SourceKind, Track

if TYPE_CHECKING:  # the scan's worker processes import this module: no aiosqlite in them
    import aiosqlite

_TRACK_FIELDS = (
    "id, source, album_id, title, album, artists, album_artist, duration, track_number,"
    " disc_number, container, size, year, rg_track, rg_album"
)
TRACK_COLS = ", ".join(f"t.{name.strip()}" for name in _TRACK_FIELDS.split(","))
TRACK_COLUMNS = [c.strip() for c in _TRACK_FIELDS.split(",")] + ["local_path", "mtime_ns"]
ALBUM_COLUMNS = ["id", "source", "title", "artists", "year", "image_tag", "sort_title"]
_NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"


def _upsert(table: str, columns: Sequence[str], select: str) -> str:
    """INSERT of `select`'s rows (every column, then seen_at) into `table`; an existing row is
    updated only when a column differs.

    An unchanged row is not written at all (the WHERE of DO UPDATE): a resync or rescan that finds
    nothing new writes no page, so the SD card sees (almost) nothing. `seen_at` is when the row last
    changed, not when it was last looked at. ("WHERE true" lets SQLite parse the upsert clause.)
    """
    updated = columns[1:]
    return f"""
INSERT INTO {table} ({", ".join(columns)}, seen_at)
{select} WHERE true
ON CONFLICT(id) DO UPDATE SET
    {", ".join(f"{c} = excluded.{c}" for c in updated)}, seen_at = excluded.seen_at
WHERE {" OR ".join(f"{table}.{c} IS NOT excluded.{c}" for c in updated)}
"""


def _from_json(columns: Sequence[str]) -> str:
    values = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(columns)))
    return f"SELECT {values}, {_NOW} FROM json_each(?)"


UPSERT_TRACKS = _upsert("tracks", TRACK_COLUMNS, _from_json(TRACK_COLUMNS))
UPSERT_ALBUMS = _upsert("albums", ALBUM_COLUMNS, _from_json(ALBUM_COLUMNS))
# The same upserts from a scan's staging tables (cache.catalogue_stage): plain columns, no JSON.
STAGE = "scan_stage"  # the in-memory database the staging tables are in
UPSERT_STAGED_TRACKS = _upsert(
    "tracks", TRACK_COLUMNS, f"SELECT {', '.join(TRACK_COLUMNS)}, {_NOW} FROM {STAGE}.tracks"
)
UPSERT_STAGED_ALBUMS = _upsert(
    "albums", ALBUM_COLUMNS, f"SELECT {', '.join(ALBUM_COLUMNS)}, {_NOW} FROM {STAGE}.albums"
)
_MAX_WORDS = 16


@dataclass(frozen=True, slots=True)
class AlbumRecord:
    """An album row as a source writes it (the `Album` of the API lacks source and cover id)."""

    id: AlbumId
    source: SourceKind
    title: str
    artists: tuple[str, ...]
    year: int | None = None
    image_tag: str | None = None


@dataclass(frozen=True, slots=True)
class RowsJson:
    """Album and track rows already as the JSON arrays the upserts read: a scan's worker process
    makes them, so the service never holds thousands of Track objects at once."""

    albums: str
    tracks: str
    count: int  # tracks


def rows_json(albums: Sequence[AlbumRecord], tracks: Sequence[TrackRecord]) -> RowsJson:
    album_rows = json.dumps([_album_row(a) for a in albums])
    return RowsJson(album_rows, json.dumps([_track_row(t) for t in tracks]), len(tracks))


def join_rows(parts: Sequence[RowsJson]) -> RowsJson:
    """One RowsJson of several (their arrays concatenated as text)."""

    def join(arrays: Iterable[str]) -> str:
        return "[" + ",".join(a[1:-1] for a in arrays if a != "[]") + "]"

    return RowsJson(
        join(p.albums for p in parts), join(p.tracks for p in parts), sum(p.count for p in parts)
    )


@dataclass(frozen=True, slots=True)
class TrackRecord:
    """A track row; `local_path` (relative to music_dir) and `mtime_ns` only for local files."""

    track: Track
    local_path: str | None = None
    mtime_ns: int | None = None


class LocalIndex(NamedTuple):
    """What the catalogue remembers of the local files, to skip those unchanged. Plain dicts,
    sets and tuples made in C (a rescan holds one entry per file): a scan asks whether the walk's
    (path, size, mtime) is in `stats`, a set lookup, instead of comparing fields in Python."""

    ids: dict[str, ItemId]  # by relative path
    stats: set[tuple[str, int, int | None]]  # (relative path, size, mtime_ns) when it was read


def fts_words(q: str) -> list[str]:
    """The searchable words of a user's query: runs of letters and digits, as FTS5 splits them."""
    return re.findall(r"[^\W_]+", q)[:_MAX_WORDS]


def fts_query(words: Sequence[str], columns: Sequence[str] = ()) -> str:
    """An FTS5 expression matching every word as a prefix; words hold no quotes or operators."""
    expr = " ".join(f'"{word}"*' for word in words)
    return f"{{{' '.join(columns)}}} : ({expr})" if columns else expr


def _dump(names: Iterable[str]) -> str:
    # Non-ASCII kept as is: the FTS index reads this text, and "\u00f6" would split a name in two.
    return json.dumps(list(names), ensure_ascii=False)


@functools.lru_cache(maxsize=2048)
def load_names(text: str | None) -> tuple[str, ...]:
    """A names column's tuple; the same text gives the same (immutable) tuple, so the tracks of
    one album share their artists instead of each holding a copy (a queue holds thousands)."""
    try:
        names = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(str(n) for n in names) if isinstance(names, list) else ()


def _track_row(r: TrackRecord) -> list[Any]:
    t = r.track
    return [
        *(t.id, str(t.source), t.album_id, t.title, t.album, _dump(t.artists), t.album_artist),
        *(t.duration, t.track_number, t.disc_number, t.container, t.size, t.year),
        *(t.replaygain_track, t.replaygain_album, r.local_path, r.mtime_ns),
    ]


def _album_row(a: AlbumRecord) -> list[Any]:
    sort_title = a.title.casefold()
    return [a.id, str(a.source), a.title, _dump(a.artists), a.year, a.image_tag, sort_title]


def to_track(row: aiosqlite.Row, offline: bool) -> Track:
    # What the tracks of one album repeat is interned: one string for the album's title, id,
    # artist and container, not one per track (a 20,000-entry queue holds 20,000 Tracks: about
    # 360 of each one's 740 bytes were these copies).
    return Track(
        id=ItemId(row["id"]),
        title=row["title"],
        album=_shared(row["album"]),
        album_id=AlbumId(_shared(row["album_id"])),
        artists=load_names(row["artists"]),
        duration=float(row["duration"] or 0.0),
        track_number=row["track_number"],
        disc_number=row["disc_number"],
        container=_shared(row["container"]),
        size=int(row["size"] or 0),
        source=SourceKind(row["source"]),
        available_offline=offline,
        album_artist=_shared(row["album_artist"]),
        year=row["year"],
        replaygain_track=row["rg_track"],
        replaygain_album=row["rg_album"],
    )


def _shared(text: str | None) -> Any:
    """One string object for equal texts while any is alive (NULL stays None)."""
    return sys.intern(text) if isinstance(text, str) else text


def availability(count: int, have: int) -> Availability:
    """An album's offline state from its track count and how many of them are playable offline."""
    if not count or have == 0:
        return Availability.NONE
    return Availability.FULL if have == count else Availability.PARTIAL


def album_model(
    row: aiosqlite.Row, sums: aiosqlite.Row | None, offline: Collection[ItemId]
) -> Album:
    count = int(sums["n"]) if sums else 0
    have = int(sums["local"]) if sums else 0
    if sums and sums["remote"]:
        have += sum(1 for i in sums["remote"].split(",") if i in offline)
    return Album(
        id=AlbumId(row["id"]),
        title=row["title"],
        artists=load_names(row["artists"]),
        year=row["year"],
        track_count=count,
        duration=float(sums["seconds"]) if sums else 0.0,
        available_offline=availability(count, have),
    )


def album_filter(words: Sequence[str], bound: int) -> tuple[str, tuple[Any, ...]]:
    """A WHERE clause over `albums a`: album title or artists match every word.

    Tracks' album/artist text goes through FTS; the album row itself through LIKE, so albums
    whose tracks are not in the catalogue (yet) are still found.
    """
    if not words:
        return "1", ()
    likes = " AND ".join(
        "(a.title LIKE ? ESCAPE '\\' OR a.artists LIKE ? ESCAPE '\\')" for _ in words
    )
    patterns: list[str] = []
    for word in words:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        patterns += [pattern, pattern]
    fts = (
        "a.id IN (SELECT t2.album_id FROM tracks t2 WHERE t2.rowid IN"
        " (SELECT rowid FROM tracks_fts WHERE tracks_fts MATCH ? LIMIT ?))"
    )
    return f"({fts} OR ({likes}))", (fts_query(words, ("album", "artists")), bound, *patterns)
