"""Stable ids for local tracks and albums: derived from paths and tags, never from scan order."""

from __future__ import annotations

import hashlib
import unicodedata

from cache.models import AlbumId, ItemId, PlaylistId


def _digest(text: str) -> str:
    # NFC so a folder copied between file systems (macOS writes NFD) keeps its ids.
    return hashlib.sha1(unicodedata.normalize("NFC", text).encode("utf-8")).hexdigest()


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def track_id(relpath: str) -> ItemId:
    """The id of the file at `relpath` (POSIX, relative to music_dir); "l" is never a hex digit,
    so it cannot collide with a Jellyfin id."""
    return ItemId("l" + _digest(relpath)[:23])


def album_id(artist: str, title: str) -> AlbumId:
    """The id of an album by (album artist or first artist, album title), case and spacing folded."""
    return AlbumId("al" + _digest(f"{_norm(artist)}\x1f{_norm(title)}")[:22])


def playlist_id(relpath: str) -> PlaylistId:
    """The id of the .m3u file at `relpath` ("lp": no Jellyfin id starts so)."""
    return PlaylistId("lp" + _digest(relpath)[:22])
