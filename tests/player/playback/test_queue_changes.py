"""The queue's change versions: what MPD's plchanges (and queue events as changes) read."""

from __future__ import annotations

from cache.models import AlbumId, ItemId, SourceKind, Track
from player.playback.queue import PlayQueue


def _tracks(n: int) -> list[Track]:
    return [
        Track(ItemId(f"t{i}"), f"T{i}", "A", AlbumId("a"), ("X",), 1.0, i, 1, "flac", 1,
              SourceKind.LOCAL)
        for i in range(n)
    ]  # fmt: skip


def test_one_move_of_one_place_changes_two_entries() -> None:
    q = PlayQueue()
    q.append(_tracks(2000))
    seen = q.version
    q.move(q.entries[10].entry_id, 11)
    changed = q.changed_since(seen)
    assert [pos for pos, _ in changed] == [10, 11]
    assert q.last_change.moved == ((q.entries[11].entry_id, 11),)
    assert q.changed_since(q.version) == []


def test_append_insert_remove_report_only_what_shifted() -> None:
    q = PlayQueue()
    q.append(_tracks(5))
    v1 = q.version
    q.append(_tracks(2))
    assert [pos for pos, _ in q.changed_since(v1)] == [5, 6]
    assert [pos for pos, _ in q.last_change.inserted] == [5, 6]
    v2 = q.version
    gone = q.entries[3].entry_id
    q.remove(gone)
    assert [pos for pos, _ in q.changed_since(v2)] == [3, 4, 5]
    assert q.last_change.removed == (gone,)
    v3 = q.version
    q.jump(2)
    assert q.changed_since(v3) == [] and not q.last_change.structural
    assert len(q.changed_since(0)) == len(q.entries)


def test_replace_clear_and_restore_change_everything() -> None:
    q = PlayQueue()
    q.append(_tracks(3))
    v = q.version
    q.replace(_tracks(2))
    assert len(q.changed_since(v)) == 2 and len(q.last_change.removed) == 3
    q.clear()
    assert q.changed_since(0) == [] and len(q.last_change.removed) == 2
    restored = PlayQueue()
    restored.restore(q.entries, None, 7)
    assert restored.last_change.reordered and restored.version == 7
