"""What the smart policy reads from the play history."""

from __future__ import annotations

from planner_kit import album, plays

from cache.planner.signals import (
    LONG_PAUSE,
    PACE_FLOOR,
    albums_read,
    listen_share,
    resume_share,
    roams,
)
from cache.planner.snapshot import Item, NetworkKind, PlayRecord


def test_listen_share_is_the_heard_part_of_known_tracks() -> None:
    q = album("a1", 5)  # 240 s each, started a minute apart: a quarter heard
    durations = {i.id: i.duration for i in q}
    assert listen_share(plays(q), durations) == 0.25
    assert listen_share(plays(q), {}) == 1.0  # nothing known: whole tracks
    assert listen_share((), durations) == 1.0


def test_listen_share_counts_a_pause_as_a_whole_track_and_has_a_floor() -> None:
    q = album("a1", 3)
    durations = {i.id: i.duration for i in q}
    paused = (
        PlayRecord(q[0].id, q[0].album_id, 0.0),
        PlayRecord(q[1].id, q[1].album_id, 5000.0),
    )
    assert listen_share(paused, durations) == 1.0
    burst = tuple(PlayRecord(i.id, i.album_id, float(n)) for n, i in enumerate(q))
    assert listen_share(burst, durations) == PACE_FLOOR


def test_roams_until_settled_then_on_evidence() -> None:
    home = plays(album("h0", 12))
    assert roams(home[:3])  # too little history: the safe side
    assert not roams(home)
    assert roams((*home, *plays(album("c0", 1), kind=NetworkKind.CELLULAR)))


def test_resume_share_tells_going_on_from_opening_another_album() -> None:
    a, b, c = album("a1", 4), album("b1", 4), album("c1", 4)
    opens = {a[0].id, b[0].id, c[0].id}

    def at(items: tuple[Item, ...], start: float) -> tuple[PlayRecord, ...]:
        return plays(items, start)

    ends = {a[-1].id, b[-1].id, c[-1].id}

    def share(history: tuple[PlayRecord, ...]) -> float:
        return resume_share(history, lambda p: p.item_id in opens, lambda p: p.item_id in ends)

    new_each_time = (*at(a[:2], 0.0), *at(b[:2], LONG_PAUSE + 200), *at(c[:2], 3 * LONG_PAUSE))
    assert share(new_each_time) == 0.0
    going_on = (*at(a[:2], 0.0), *at(a[2:], LONG_PAUSE + 200), *at(b[1:3], 3 * LONG_PAUSE))
    assert share(going_on) == 1.0  # same album; mid-album
    short_gaps = plays((*a, *b))  # a minute apart: no long pause at all
    assert share(short_gaps) == 1.0
    # an album played to its end, then another opened after the pause: a queue of albums going on
    # looks the same as a new queue, so that pause is not counted either way
    next_album = (*at(a, 0.0), *at(b[:2], LONG_PAUSE + 500), *at(b[2:3], 3 * LONG_PAUSE))
    assert share(next_album) == 1.0
    assert share((*next_album, *at(c[:2], 5 * LONG_PAUSE))) == 0.5  # b was left mid-album


def test_albums_read_are_the_recent_ones_and_those_around_long_pauses() -> None:
    a, b, c = album("a1", 3), album("b1", 3), album("c1", 20)
    history = (*plays(a), *plays(b, start=LONG_PAUSE + 500), *plays(c, start=3 * LONG_PAUSE))
    assert albums_read(history, 3) == {a[0].album_id, b[0].album_id, c[0].album_id}
    assert albums_read(plays(c), 3) == {c[0].album_id}
