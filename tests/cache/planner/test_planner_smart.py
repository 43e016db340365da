"""The smart policy: every rule of the issue, one test each."""

from __future__ import annotations

from planner_kit import CELL, MB, OFFLINE, WIFI, album, complete, item, partial, plays, snap

from cache.models import AlbumId
from cache.planner import (
    CacheConfig,
    NetState,
    NetworkKind,
    Origin,
    Reason,
    SmartPolicy,
    Wait,
)

# a device that has played 30 tracks on Wi-Fi: settled, so it uses its lookahead, not the whole queue
HOME = plays(album("h0", 30), start=-10_000.0)


def _smart(**kw: object) -> SmartPolicy:
    return SmartPolicy(CacheConfig.from_mapping(dict(kw)))


def test_lookahead_is_minutes_of_audio_not_a_track_count() -> None:
    q = album("a1", 30)  # 4-minute tracks
    plan = _smart(lookahead_minutes_unmetered=20).plan(snap(q, current=q[0], history=HOME))
    assert plan.fetch_ids() == tuple(i.id for i in q[1:6])  # 5 x 4 min = 20 min
    longer = _smart(lookahead_minutes_unmetered=40).plan(snap(q, current=q[0], history=HOME))
    assert len(longer.fetches) == 10


def test_metered_lookahead_applies_when_cellular_is_allowed() -> None:
    q = album("a1", 30)
    policy = _smart(wifi_only=False, lookahead_minutes_metered=8)
    plan = policy.plan(snap(q, current=q[0], history=HOME, network=CELL))
    assert len(plan.fetches) == 2 and plan.wait_reason is None


def test_a_fresh_queue_starts_with_a_shorter_lookahead_that_grows() -> None:
    q = album("a1", 30)
    policy = _smart(lookahead_minutes_unmetered=40)
    fresh = policy.plan(snap(q, current=q[0], history=HOME, now=1000.0, queue_since=990.0))
    kept = policy.plan(snap(q, current=q[0], history=HOME, now=4000.0, queue_since=990.0))
    assert len(fresh.fetches) < len(kept.fetches) == 10


def test_whole_queue_on_unmetered_when_the_device_roams() -> None:
    q = album("a1", 30)
    roaming = plays(album("r0", 30), start=-10_000.0, kind=NetworkKind.CELLULAR)
    plan = _smart().plan(snap(q, current=q[0], history=roaming))
    assert len(plan.fetches) == 29
    assert len(_smart().plan(snap(q, current=q[0], history=HOME)).fetches) < 29
    off = _smart(whole_queue_on_unmetered=False).plan(snap(q, current=q[0], history=roaming))
    assert len(off.fetches) < 29


def test_the_whole_queue_only_as_far_as_storage_allows() -> None:
    q = album("a1", 30)
    plan = _smart(storage_limit=95 * MB, min_free_bytes=0).plan(snap(q, current=q[0]))
    assert len(plan.fetches) == 9 and plan.wait_reason is Wait.STORAGE


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
    plan = _smart().plan(snap(q, current=q[0], history=HOME, pins=(pin,)))
    ids = plan.fetch_ids()
    assert ids.index(pin.id) == 2  # after 5 minutes of audio (two 4-minute tracks)
    assert plan.fetches[2].origin is Origin.USER and plan.fetches[2].reason is Reason.PIN
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
    q = album("a1", 3)
    stale = partial(item(1, "x"), 2 * MB, fetched_at=500.0)
    played_new = complete(item(2, "x"), played=True, last_access=900.0)
    played_old = complete(item(3, "x"), played=True, last_access=100.0)
    unplayed_old = complete(item(4, "x"), fetched_at=50.0)
    unplayed_new = complete(item(5, "x"), fetched_at=950.0)
    files = [unplayed_new, played_new, stale, unplayed_old, played_old]
    # the whole queue (20 MB) must fit in a cache holding 42 MB of a 42 MB limit
    plan = _smart(storage_limit=42 * MB, min_free_bytes=0).plan(snap(q, current=q[0], files=files))
    order = [e.item_id for e in plan.evictions]
    assert order == [stale.item_id, played_old.item_id, played_new.item_id]
    assert plan.fetch_ids() == (q[1].id, q[2].id)
    more = _smart(storage_limit=42 * MB, min_free_bytes=0).plan(
        snap(album("b1", 5), current=None, files=files)
    )
    assert [e.item_id for e in more.evictions][-2:] == [unplayed_old.item_id, unplayed_new.item_id]


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
    plan = _smart(min_free_bytes=100 * MB).plan(snap(q, current=q[0], history=HOME, free=125 * MB))
    assert len(plan.fetches) == 2  # 25 MB above the floor: two 10 MB tracks
    assert plan.wait_reason is Wait.STORAGE


def test_queue_replacement_resumes_wanted_partials_and_keeps_the_old_queue() -> None:
    old_q, new_q = album("a1", 6), album("b1", 6)
    shared = new_q[2]
    files = [
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
    plan = _smart(queue_precache_enabled=False).plan(
        snap((), current=a[2], history=plays(a[:3]), albums=albums)
    )
    assert set(plan.fetch_ids()) == {i.id for i in a[3:]}
    assert {f.reason for f in plan.fetches} == {Reason.ALBUM}
    victim = complete(item(1, "x"), played=True)
    full = _smart(queue_precache_enabled=False, storage_limit=10 * MB, min_free_bytes=0).plan(
        snap((), current=a[2], history=plays(a[:3]), albums=albums, files=[victim])
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
