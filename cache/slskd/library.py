"""Bringing slskd files into the catalogue: a landed file becomes a Track with `source: "slskd"`.

The file itself stays where landing put it (`<cache_dir>/media/slskd/...`) and its download row is
what `MediaCache.resolve()` plays it from; the catalogue row makes it browsable, searchable and
queueable like any other track. Tags come from the file; a file without tags is named from the
peer's folders ("Artist/Album/NN - Title.ext"), the way local files are.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path, PurePosixPath

from cache.catalogue import AlbumRecord, Catalogue, TrackRecord
from cache.downloads.models import Download
from cache.local.errors import UnreadableFileError
from cache.local.tags import TagInfo, guess_from_path, read_tags
from cache.models import AlbumId, ItemId, SourceKind, Track
from cache.slskd.store import slskd_album_id
from cache.slskd.wire import remote_parent

log = logging.getLogger(__name__)


def peer_relpath(remote_filename: str) -> PurePosixPath:
    """The last three parts of a peer's path ("Artist/Album/file"), for name-based tag guesses."""
    parts = [p for p in remote_filename.replace("\\", "/").split("/") if p]
    return PurePosixPath(*parts[-3:]) if parts else PurePosixPath("unknown")


def read_landed(path: Path, remote_filename: str) -> TagInfo:
    """Tags of a landed file, falling back to the peer's folder names (blocking)."""
    rel = peer_relpath(remote_filename)
    try:
        return read_tags(path, rel)
    except UnreadableFileError as err:
        log.info("no tags in %s (%s); naming it from the peer's folders", rel, err)
        return guess_from_path(rel)


def landed_track(row: Download, info: TagInfo, size: int) -> Track:
    """The catalogue's Track for a landed slskd file."""
    name = PurePosixPath(row.remote_filename.replace("\\", "/")).name
    album_id = row.album_id or slskd_album_id(row.remote_user, remote_parent(row.remote_filename))
    return Track(
        id=ItemId(row.item_id),
        title=info.title,
        album=info.album,
        album_id=AlbumId(album_id),
        artists=info.artists,
        duration=info.duration,
        track_number=info.track_number,
        disc_number=info.disc_number,
        container=PurePosixPath(name).suffix.lower().lstrip("."),
        size=size,
        source=SourceKind.SLSKD,
        available_offline=True,
        album_artist=info.album_artist,
        year=info.year,
        replaygain_track=info.replaygain_track,
        replaygain_album=info.replaygain_album,
    )


async def import_landed(
    catalogue: Catalogue, cache_dir: Path, row: Download, relpath: str
) -> Track:
    """Read the landed file's tags and upsert its album and track into the catalogue."""
    path = cache_dir / relpath
    info = await asyncio.to_thread(read_landed, path, row.remote_filename)
    size: int = row.file_size or (await asyncio.to_thread(path.stat)).st_size
    track = landed_track(row, info, size)
    artist = track.album_artist or (track.artists[0] if track.artists else "")
    album = AlbumRecord(
        id=track.album_id,
        source=SourceKind.SLSKD,
        title=track.album,
        artists=(artist,) if artist else (),
        year=track.year,
    )
    await catalogue.upsert([album], [TrackRecord(track)])
    log.info("slskd file imported: %s — %s", track.album, track.title)
    return track


async def find_in_jellyfin(catalogue: Catalogue, row: Download) -> Track | None:
    """A Jellyfin track that is this slskd file: same title and, when both know it, same size."""
    # "01 - Title.flac" → "Title", the way a file without tags is named.
    title = guess_from_path(peer_relpath(row.remote_filename)).title
    if not title:
        return None
    tracks, _ = await catalogue.search(title)
    for track in tracks:
        if track.source is not SourceKind.JELLYFIN:
            continue
        same_title = _norm(track.title) == _norm(title)
        same_size = not row.file_size or not track.size or row.file_size == track.size
        if same_title and same_size:
            return track
    return None


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())
