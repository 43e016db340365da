"""Test data builders shared by every test package (one place, not a copy per test file)."""

from __future__ import annotations

from cache.models import AlbumId, ItemId, SourceKind, Track


def make_track(
    item_id: str,
    *,
    duration: float = 180.0,
    source: SourceKind = SourceKind.JELLYFIN,
    album_id: str = "a1",
    number: int = 1,
    title: str | None = None,
    size: int = 1000,
) -> Track:
    """A track with plausible metadata; only what a test cares about needs saying."""
    return Track(
        ItemId(item_id), title or f"Song {item_id}", "Album", AlbumId(album_id), ("Artist",),
        duration, number, 1, "flac", size, source,
    )  # fmt: skip
