"""The smart policy: every rule of the issue, one test each."""

from __future__ import annotations

import dataclasses

from planner_kit import CELL, MB, OFFLINE, WIFI, album, complete, item, partial, plays, snap

from cache.models import AlbumId
from cache.planner import (
    CacheConfig,
    Item,
    NetState,
    NetworkKind,
    Origin,
    PlayRecord,
    Reason,
    SmartPolicy,
    Wait,
)
from cache.planner.signals import LONG_PAUSE
from cache.planner.smart import SETTLED_STAY, UNSEEN_DEVICE_SECONDS
from cache.planner.snapshot import LinkRecord

# a device that has played 30 tracks on Wi-Fi: settled, so it uses its lookahead, not the whole queue
HOME = plays(album("h0", 30), start=-10_000.0)


def _smart(**kw: object) -> SmartPolicy:
    return SmartPolicy(CacheConfig.from_mapping(dict(kw)))


def test_lookahead_is_minutes_of_audio_not_a_track_count() -> None:
    q = album("a1", 30)  # 4-minute tracks
    ready = [complete(q[1])]  # the next track is here: the window downloads side by side
    plan = _smart(lookahead_minutes_unmetered=20).plan(
        snap(q, current=q[0], history=HOME, files=ready)
    )
    assert plan.fetch_ids() == tuple(i.id for i in q[2:6])  # 5 x 4 min = 20 min
    longer = _smart(lookahead_minutes_unmetered=40).wanted(snap(q, current=q[0], history=HOME))
    assert len(longer) == 10


def test_metered_lookahead_applies_when_cellular_is_allowed() -> None:
    q = album("a1", 30)
    policy = _smart(wifi_only=False, lookahead_minutes_metered=8)
    ready = [complete(q[1])]
    plan = policy.plan(snap(q, current=q[0], history=HOME, network=CELL, files=ready))
    assert plan.fetch_ids() == (q[2].id,) and plan.wait_reason is None  # 2 x 4 min = 8 min


def test_a_fresh_queue_starts_with_a_shorter_lookahead_that_grows() -> None:
    q = album("a1", 30)
    policy = _smart(lookahead_minutes_unmetered=40)
    fresh = policy.wanted(snap(q, current=q[0], history=HOME, now=1000.0, queue_since=990.0))
    kept = policy.wanted(snap(q, current=q[0], history=HOME, now=4000.0, queue_since=990.0))
    assert len(fresh) < len(kept) == 10


def test_whole_queue_on_unmetered_when_the_device_roams() -> None:
    q = album("a1", 30)
    roaming = plays(album("r0", 30), start=-10_000.0, kind=NetworkKind.CELLULAR)
    assert len(_smart().wanted(snap(q, current=q[0], history=roaming))) == 29
    assert len(_smart().wanted(snap(q, current=q[0], history=HOME))) < 29
    off = _smart(whole_queue_on_unmetered=False).wanted(snap(q, current=q[0], history=roaming))
    assert len(off) < 29


def test_a_device_not_yet_seen_takes_two_hours_ahead_not_a_day_of_queue() -> None:
    q = album("a1", 300)  # 20 hours of 4-minute tracks: a kitchen's shuffled slice of a pool
    unseen = _smart().wanted(snap(q, current=q[0], history=()))
    assert len(unseen) == UNSEEN_DEVICE_SECONDS // 240  # the first drive of a car, if it is one
    roaming = plays(album("r0", 30), start=-10_000.0, kind=NetworkKind.CELLULAR)
    assert len(_smart().wanted(snap(q, current=q[0], history=roaming))) == 299  # seen away: all


def test_an_unseen_device_that_sat_an_hour_on_wifi_takes_only_its_lookahead() -> None:
    q = album("a1", 300)
    fresh = snap(q, current=q[0], history=())
    just_joined = dataclasses.replace(fresh, link=LinkRecord(longest_stay=SETTLED_STAY - 60))
    assert len(_smart().wanted(just_joined)) == UNSEEN_DEVICE_SECONDS // 240  # a car, maybe
    settled = dataclasses.replace(fresh, link=LinkRecord(longest_stay=SETTLED_STAY))
    assert len(_smart().wanted(settled)) == len(
        _smart().wanted(snap(q, current=q[0], history=HOME))
    )


def test_the_whole_queue_only_as_far_as_storage_allows() -> None:
    q = album("a1", 30)
    policy = _smart(storage_limit=95 * MB, min_free_bytes=0)
    assert policy.plan(snap(q, current=q[0], files=map(complete, q[1:9]))).fetch_ids() == (q[9].id,)
    full = policy.plan(snap(q, current=q[0], files=map(complete, q[1:10])))
    assert full.fetches == () and full.evictions == ()  # the queue never evicts its own head
    assert full.wait_reason is Wait.STORAGE


def test_metered_network_pauses_auto_downloads_at_once() -> None:
    q = album("a1", 10)
    running = partial(q[1], 4 * MB, downloading=True)
    plan = _smart().plan(snap(q, current=q[0], files=[running], network=CELL))
    assert plan.fetches == () and plan.evictions == ()
    assert [c.item_id for c in plan.cancels] == [q[1].id]
    assert plan.wait_reason is Wait.WIFI and plan.held


def test_offline_and_unreachable_server_have_their_own_reasons() -> None:
    q = album("a1", 5)
    assert _smart().plan(snap(q, network=OFFLINE)).wait_reason is Wait.NETWORK
    gone = NetState(NetworkKind.WIFI, server_reachable=False)
    assert _smart().plan(snap(q, network=gone)).wait_reason is Wait.SERVER


def test_pins_come_right_after_the_next_minutes_and_may_use_cellular_when_allowed() -> None:
    q = album("a1", 30)
    pin = item(1, "pin")
    ready = [complete(q[1])]
    plan = _smart().plan(snap(q, current=q[0], history=HOME, pins=(pin,), files=ready))
    ids = plan.fetch_ids()
    assert ids.index(pin.id) == 1  # after 5 minutes of audio (two 4-minute tracks)
    assert plan.fetches[1].origin is Origin.USER and plan.fetches[1].reason is Reason.PIN
    cell = _smart(pins_on_metered=True).plan(snap(q, current=q[0], pins=(pin,), network=CELL))
    assert cell.fetch_ids() == (pin.id,)


def test_pins_are_never_evicted_by_automatic_caching() -> None:
    q = album("a1", 4)
    pin = item(1, "pin", size=30 * MB)
    files = [complete(pin, origin=Origin.USER)]
    plan = _smart(storage_limit=35 * MB, min_free_bytes=0).plan(
        snap(q, current=q[0], files=files, pins=(pin,))
    )
    assert plan.evictions == () and plan.fetches == ()
    assert plan.wait_reason is Wait.STORAGE


def test_eviction_order_stale_partials_then_played_lru_then_unplayed_oldest() -> None:
    q = album("a1", 6)
    stale = partial(item(1, "x"), 2 * MB, fetched_at=500.0)
    played_new = complete(item(2, "x"), played=True, last_access=900.0)
    played_old = complete(item(3, "x"), played=True, last_access=100.0)
    unplayed_old = complete(item(4, "x"), fetched_at=50.0)
    unplayed_new = complete(item(5, "x"), fetched_at=950.0)
    files = [unplayed_new, played_new, stale, unplayed_old, played_old, complete(q[1])]
    # 20 min of 4-minute tracks after the current one: q[2] to q[5] (40 MB) must fit in a cache
    # holding 52 MB of a 52 MB limit, and only the automatic copies nobody queued may go
    plan = _smart(storage_limit=52 * MB, min_free_bytes=0).plan(
        snap(q, current=q[0], files=files, history=HOME)
    )
    expected = [stale, played_old, played_new, unplayed_old, unplayed_new]
    assert [e.item_id for e in plan.evictions] == [f.item_id for f in expected]
    assert plan.fetch_ids() == tuple(i.id for i in q[2:6])
    fewer = _smart(storage_limit=52 * MB, min_free_bytes=0, lookahead_minutes_unmetered=12).plan(
        snap(q, current=q[0], files=files, history=HOME)
    )
    assert [e.item_id for e in fewer.evictions] == [f.item_id for f in expected[:3]]


def test_never_evicts_the_current_or_the_next_track() -> None:
    q = album("a1", 4)
    files = [complete(q[0], played=True), complete(q[1])]
    plan = _smart(storage_limit=20 * MB, min_free_bytes=0).plan(snap(q, current=q[0], files=files))
    assert plan.evictions == () and plan.wait_reason is Wait.STORAGE


def test_free_space_floor_evicts_even_without_anything_to_fetch() -> None:
    q = album("a1", 2)
    old = complete(item(1, "x"), played=True)
    files = [complete(q[1]), old]
    plan = _smart(min_free_bytes=50 * MB).plan(snap(q, current=q[0], files=files, free=45 * MB))
    assert [e.item_id for e in plan.evictions] == [old.item_id]
    assert plan.evictions[0].reason == "free-space floor"


def test_free_space_floor_limits_what_is_fetched() -> None:
    q = album("a1", 30)
    plan = _smart(min_free_bytes=100 * MB).plan(
        snap(q, current=q[0], history=HOME, free=125 * MB, files=[complete(q[1])])
    )
    assert len(plan.fetches) == 2  # 25 MB above the floor: two 10 MB tracks
    assert plan.wait_reason is Wait.STORAGE


def test_queue_replacement_resumes_wanted_partials_and_keeps_the_old_queue() -> None:
    old_q, new_q = album("a1", 6), album("b1", 6)
    shared = new_q[2]
    files = [
        complete(new_q[0], fetched_at=90.0),
        complete(old_q[1], fetched_at=100.0),
        complete(old_q[2], fetched_at=110.0),
        partial(shared, 3 * MB, downloading=True),
        partial(old_q[3], 5 * MB, downloading=True),
    ]
    plan = _smart().plan(snap(new_q, files=files, history=HOME))
    assert shared.id in plan.fetch_ids()  # the wanted partial is resumed, not restarted
    assert [c.item_id for c in plan.cancels] == [old_q[3].id]  # held, not deleted
    assert plan.evictions == ()  # room enough: what the old queue fetched stays


def test_album_affinity_fills_only_free_space() -> None:
    a = album("a1", 8)
    albums = {AlbumId("a1"): a}
    history = HOME + plays(a[:3])
    plan = _smart(queue_precache_enabled=False).plan(
        snap((), current=a[2], history=history, albums=albums)
    )
    assert set(plan.fetch_ids()) == {i.id for i in a[3:]}
    assert {f.reason for f in plan.fetches} == {Reason.ALBUM}
    victim = complete(item(1, "x"), played=True)
    full = _smart(queue_precache_enabled=False, storage_limit=10 * MB, min_free_bytes=0).plan(
        snap((), current=a[2], history=history, albums=albums, files=[victim])
    )
    assert full.fetches == () and full.evictions == ()


def test_complete_files_are_not_fetched_again() -> None:
    q = album("a1", 4)
    plan = _smart().plan(snap(q, current=q[0], files=[complete(q[1])], history=HOME))
    assert q[1].id not in plan.fetch_ids() and plan.fetch_ids()[0] == q[2].id


def test_a_queue_not_yet_started_fetches_its_first_item_first() -> None:
    q = album("a1", 4)
    plan = _smart().plan(snap(q, index=0, current=None, history=HOME))
    assert plan.fetch_ids()[0] == q[0].id


def test_wifi_network_marked_metered_is_treated_as_metered() -> None:
    q = album("a1", 4)
    hotspot = NetState(NetworkKind.WIFI, metered=True)
    assert _smart().plan(snap(q, network=hotspot, history=HOME)).wait_reason is Wait.WIFI
    assert _smart().plan(snap(q, network=WIFI, history=HOME)).wait_reason is None


def test_the_next_track_downloads_alone_while_it_is_missing() -> None:
    q = album("a1", 10)
    running = partial(q[3], 4 * MB, downloading=True)
    plan = _smart().plan(snap(q, current=q[0], history=HOME, files=[running]))
    assert plan.fetch_ids() == (q[1].id,)  # the whole link for the track needed next
    assert [c.item_id for c in plan.cancels] == [q[3].id]  # paused, its bytes kept
    assert plan.evictions == () and plan.wait_reason is None
    fresh = _smart().plan(snap(q, index=0, current=None, history=HOME))
    assert fresh.fetch_ids() == (q[0].id,)  # a queue just set: its first track, alone
    ready = _smart().plan(snap(q, current=q[0], history=HOME, files=[complete(q[1])]))
    assert len(ready.fetches) > 1  # once it is here the window downloads side by side


def test_a_roaming_device_downloads_one_file_at_a_time() -> None:
    q = album("a1", 10)
    roaming = plays(album("r0", 30), start=-10_000.0, kind=NetworkKind.CELLULAR)
    plan = _smart().plan(snap(q, current=q[0], history=roaming, files=[complete(q[1])]))
    assert plan.fetch_ids() == (q[2].id,)  # a half file is worth nothing once Wi-Fi is gone
    assert _smart().wanted(snap(q, current=q[0], history=roaming))[:2] == (q[1].id, q[2].id)


def test_the_next_track_alone_never_holds_back_what_may_run() -> None:
    q = album("a1", 10)
    pin = item(1, "pin")
    policy = _smart(pins_on_metered=True)
    plan = policy.plan(snap(q, current=q[0], history=HOME, pins=(pin,), network=CELL))
    assert plan.fetch_ids() == (pin.id,)  # the queue waits for Wi-Fi, the pin may use cellular
    assert plan.held[0].item_id == q[1].id and plan.wait_reason is Wait.WIFI


def test_a_listener_who_skips_keeps_more_tracks_ready() -> None:
    q = album("a1", 40)  # 4-minute tracks, heard for one minute each
    skipping = plays(q[:12], start=10_000.0 - 12 * 60)
    policy = _smart(lookahead_minutes_unmetered=20)
    wanted = policy.wanted(snap(q, index=11, current=q[11], history=skipping))
    listening = policy.wanted(snap(q, index=11, current=q[11], history=HOME))
    assert len(listening) == 5 and len(wanted) == 20  # 20 minutes at a quarter of each track


def test_album_affinity_only_for_the_album_playing_and_never_what_is_queued() -> None:
    a, b = album("a1", 8), album("b1", 8)
    albums = {AlbumId("a1"): a, AlbumId("b1"): b}
    history = HOME + plays(a[:3])
    policy = _smart(lookahead_minutes_unmetered=1)
    queued = policy.wanted(snap(a, index=2, current=a[2], history=history, albums=albums))
    assert queued == (a[3].id,)  # the queue holds the album: its lookahead decides
    moved_on = policy.wanted(snap(b, index=0, current=a[2], history=history, albums=albums))
    assert not any(i in moved_on for i in (x.id for x in a))  # a new queue: not a's rest
    later = history + plays(b[:1], start=1_000.0)
    assert policy.wanted(snap((), current=b[0], history=later, albums=albums)) == ()


def _sessions(*albums_played: tuple[Item, ...]) -> tuple[PlayRecord, ...]:
    """Two plays of each album, the albums two long pauses apart."""
    out: list[PlayRecord] = []
    for n, items in enumerate(albums_played):
        out.extend(plays(items[:2], start=n * 2 * LONG_PAUSE))
    return tuple(out)


def test_a_queue_left_long_ago_waits_when_the_listener_starts_new_ones() -> None:
    albums = {a[0].album_id: a for a in (album("a1", 6), album("b1", 6), album("c1", 6))}
    a1, b1, c1 = albums.values()
    history = _sessions(a1, b1, c1)  # after each long pause: another album from its first track
    last = history[-1].at
    late = snap(c1, index=1, history=history, albums=albums, now=last + LONG_PAUSE + 1)
    assert SmartPolicy(CacheConfig()).plan(late).fetches == ()
    soon = dataclasses.replace(late, now=last + 600)  # a short pause: the queue is still wanted
    assert SmartPolicy(CacheConfig()).plan(soon).fetch_ids()[:1] == (c1[1].id,)
    fresh = dataclasses.replace(late, queue_since=late.now - 5)  # a queue set since: wanted
    assert SmartPolicy(CacheConfig()).plan(fresh).fetches != ()


def test_a_listener_who_goes_on_after_long_pauses_keeps_the_left_queue() -> None:
    a1 = album("a1", 8)
    albums = {a1[0].album_id: a1}
    history = tuple(
        PlayRecord(i.id, i.album_id, n * 2 * LONG_PAUSE, NetworkKind.CELLULAR)
        for n, i in enumerate(a1[:4])
    )
    late = snap(a1, index=3, history=history, albums=albums, now=history[-1].at + LONG_PAUSE + 1)
    assert SmartPolicy(CacheConfig()).plan(late).fetch_ids()[:1] == (a1[3].id,)


def test_a_listener_whose_album_queue_goes_on_after_pauses_keeps_the_left_queue() -> None:
    # a car: three albums queued, an album heard to its end before a pause, the next one opened
    # after it (as a new queue would be), and between them going on mid-album
    a1, b1, c1 = album("a1", 4), album("b1", 4), album("c1", 4)
    albums = {a[0].album_id: a for a in (a1, b1, c1)}
    q = (*a1, *b1, *c1)
    cell = NetworkKind.CELLULAR
    history = (
        *plays(a1[:2], kind=cell),
        *plays(a1[2:], start=2 * LONG_PAUSE, kind=cell),
        *plays(b1, start=4 * LONG_PAUSE, kind=cell),
        *plays(c1[:1], start=6 * LONG_PAUSE, kind=cell),
    )
    late = snap(q, index=9, history=history, albums=albums, now=history[-1].at + LONG_PAUSE + 1)
    assert SmartPolicy(CacheConfig()).plan(late).fetch_ids()[:1] == (c1[1].id,)
