import random

import pytest

from cache.models import AlbumId, ItemId, SourceKind, Track
from player.playback.queue import PlayQueue, QueueError, Repeat


def track(n: int) -> Track:
    return Track(
        id=ItemId(f"t{n}"), title=f"Song {n}", album="A", album_id=AlbumId("a"), artists=("X",),
        duration=10.0, track_number=n, disc_number=1, container="wav", size=1, source=SourceKind.LOCAL,
    )  # fmt: skip


def ids(q: PlayQueue) -> list[str]:
    return [e.item.id for e in q.entries]


def test_replace_append_next_and_versions() -> None:
    q = PlayQueue()
    q.replace([track(1), track(2)], start_index=1)
    assert (ids(q), q.index, q.version) == (["t1", "t2"], 1, 1)
    q.append([track(3)])
    q.insert_next([track(9)])
    assert ids(q) == ["t1", "t2", "t9", "t3"]
    assert q.version == 3


def test_remove_keeps_the_current_entry_current() -> None:
    q = PlayQueue()
    q.replace([track(1), track(2), track(3)], start_index=2)
    assert q.remove(q.entries[0].entry_id) is False
    assert q.current is not None and q.current.item.id == "t3"
    assert q.remove(q.entries[1].entry_id) is True
    assert q.index == 0


def test_move_follows_the_current_entry() -> None:
    q = PlayQueue()
    q.replace([track(1), track(2), track(3)], start_index=0)
    q.move(q.entries[0].entry_id, 2)
    assert ids(q) == ["t2", "t3", "t1"]
    assert q.index == 2


def test_bad_indexes_raise() -> None:
    q = PlayQueue()
    q.replace([track(1)])
    with pytest.raises(QueueError):
        q.jump(3)
    with pytest.raises(QueueError):
        q.move("nope", 0)
    with pytest.raises(QueueError):
        q.replace([track(1)], start_index=1)


def test_following_respects_repeat() -> None:
    q = PlayQueue()
    q.replace([track(1), track(2)], start_index=1)
    assert q.following(Repeat.OFF) is None
    assert q.following(Repeat.ALL) == 0
    assert q.following(Repeat.ONE) == 1


def test_shuffle_keeps_current_first_and_unshuffle_restores() -> None:
    q = PlayQueue(rng=random.Random(4))
    q.replace([track(n) for n in range(10)], start_index=3)
    q.set_shuffle(True)
    assert ids(q)[:4] == ["t0", "t1", "t2", "t3"]
    assert sorted(ids(q)) == sorted(f"t{n}" for n in range(10))
    q.set_shuffle(False)
    assert ids(q) == [f"t{n}" for n in range(10)]
    assert q.index == 3


def test_restore_continues_entry_ids() -> None:
    q = PlayQueue()
    q.replace([track(1), track(2)])
    restored = PlayQueue()
    restored.restore(q.entries, 1, q.version)
    restored.append([track(3)])
    assert restored.entries[2].entry_id not in {e.entry_id for e in q.entries}
