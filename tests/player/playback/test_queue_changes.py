"""The queue's change versions: what MPD's plchanges (and queue events as changes) read."""

from __future__ import annotations

import random

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


def test_changed_since_matches_a_full_scan_after_random_edits() -> None:
    rng = random.Random(7)
    q = PlayQueue(rng=random.Random(1))
    seen: list[int] = [0]
    for step in range(600):
        n = len(q.entries)
        op = rng.random()
        if op < 0.3 or n < 3:
            q.append(_tracks(rng.randint(1, 4)))
        elif op < 0.5:
            q.move(q.entries[rng.randrange(n)].entry_id, rng.randrange(n))
        elif op < 0.65:
            q.remove(q.entries[rng.randrange(n)].entry_id)
        elif op < 0.75:
            q.insert_next(_tracks(2))
        elif op < 0.8:
            q.set_shuffle(rng.random() < 0.5)
        elif op < 0.85:
            q.jump(rng.randrange(n))
        elif op < 0.86:
            q.replace(_tracks(rng.randint(3, 9)))
        seen.append(q.version)
        for since in {rng.choice(seen), seen[max(0, len(seen) - 2)], 0}:
            full = [(i, e) for i, e in enumerate(q.entries) if q.stamp(e.entry_id) > since]
            assert q.changed_since(since) == full, (step, since)
