"""The queue's compact entry: the track it was given comes back whole, in less memory."""

import copy
import gc
import json
import pickle
import tracemalloc

import pytest

from cache.models import AlbumId, ItemId, SourceKind, Track
from player.playback.entry import Entry, EntryId
from player.playback.queue import PlayQueue


def odd_track() -> Track:
    # Every text field at an edge: empty, a separator-like control, non-ASCII, over 255 long.
    return Track(
        id=ItemId("jf\x1f1"), title="Ä" * 300, album="", album_id=AlbumId("\x00al"),
        artists=("", "Bjørk", "x\x01y"), duration=0.5, track_number=None, disc_number=2,
        container="flac", size=12_345_678_901, source=SourceKind.JELLYFIN, available_offline=True,
        album_artist="😀", year=1999, replaygain_track=-7.5, replaygain_album=None,
    )  # fmt: skip


def plain_track(n: int) -> Track:
    # Fresh strings, as a database row gives: nothing shared between tracks.
    return Track(
        id=ItemId(f"l{n:023x}"), title=f"Song {n:06d}", album=f"Album {n // 12:05d}",
        album_id=AlbumId(f"al{n // 12:022x}"), artists=(f"Artist {n // 48:04d}",),
        duration=180.0 + n, track_number=n % 12 + 1, disc_number=1, container="flac",
        size=30_000_000 + n, source=SourceKind.LOCAL, album_artist=f"Artist {n // 48:04d}",
        year=1970 + n % 50,
    )  # fmt: skip


RADIO = Track(
    id=ItemId("r1"), title="Radio", album="", album_id=AlbumId(""), artists=(), duration=0,
    track_number=None, disc_number=None, container="", size=0, source=SourceKind.RADIO,
)  # fmt: skip


@pytest.mark.parametrize("track", [odd_track(), plain_track(7), RADIO])
def test_the_track_comes_back_whole(track: Track) -> None:
    entry = Entry(EntryId("e1"), track)
    assert entry.item == track
    assert entry.to_json() == {"entry_id": "e1", "item": track.to_json()}
    # The same JSON text: an int duration stays an int, a float a float.
    assert json.dumps(entry.to_json()) == json.dumps({"entry_id": "e1", "item": track.to_json()})
    assert (entry.item_id, entry.duration, entry.source) == (track.id, track.duration, track.source)


def test_entries_are_values_that_cannot_change() -> None:
    a, b = Entry(EntryId("e1"), plain_track(1)), Entry(EntryId("e1"), plain_track(1))
    assert a == b and hash(a) == hash(b)
    assert a != Entry(EntryId("e2"), plain_track(1))
    assert a != Entry(EntryId("e1"), plain_track(2))
    with pytest.raises(AttributeError):
        a.duration = 1.0  # type: ignore[misc]
    assert copy.deepcopy(a) == a and pickle.loads(pickle.dumps(a)) == a


def _traced(make: object) -> tuple[int, object]:
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = make() if callable(make) else None
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before, kept
    finally:
        tracemalloc.stop()


def test_a_queue_entry_costs_far_less_than_a_track() -> None:
    count = 2_000
    tracks_cost, _ = _traced(lambda: [plain_track(n) for n in range(count)])
    queue_cost, queue = _traced(lambda: _filled(count))
    per_track, per_entry = tracks_cost / count, queue_cost / count
    print(f"a Track {per_track:.0f} B; a queue entry, its track included, {per_entry:.0f} B")
    assert isinstance(queue, PlayQueue) and len(queue.entries) == count
    assert per_entry < 0.65 * per_track  # 1.3x when an entry held the Track itself


def _filled(count: int) -> PlayQueue:
    queue = PlayQueue()
    queue.append([plain_track(n) for n in range(count)])
    queue.jump(0)  # the last change no longer holds the inserted entries
    return queue
