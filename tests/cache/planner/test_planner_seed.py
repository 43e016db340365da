"""The seed policy: design/download-manager.md literally."""

from __future__ import annotations

from planner_kit import CELL, MB, WIFI, album, complete, item, plays, snap

from cache.models import AlbumId
from cache.planner import CacheConfig, Origin, Reason, SeedPolicy, Wait


def _seed(**kw: object) -> SeedPolicy:
    return SeedPolicy(CacheConfig.from_mapping({"policy": "seed", **kw}))


def test_a_play_requests_the_next_five_queue_tracks_on_wifi() -> None:
    q = album("a1", 9)
    policy = _seed()
    assert policy.plan(snap(q)).fetches == ()  # nothing is played yet: nothing requested
    plan = policy.plan(snap(q, current=q[0], history=plays(q[:1])))
    assert plan.fetch_ids() == tuple(i.id for i in q[1:6])
    assert {f.reason for f in plan.fetches} == {Reason.QUEUE}


def test_count_is_configurable() -> None:
    q = album("a1", 9)
    plan = _seed(queue_precache_count=2).plan(snap(q, current=q[0], history=plays(q[:1])))
    assert plan.fetch_ids() == (q[1].id, q[2].id)


def test_wifi_only_holds_requests_on_cellular() -> None:
    q = album("a1", 9)
    plan = _seed().plan(snap(q, current=q[0], history=plays(q[:1]), network=CELL))
    assert plan.fetches == () and len(plan.held) == 5
    assert plan.wait_reason is Wait.WIFI


def test_album_affinity_after_three_played_tracks() -> None:
    a, b = album("a1", 8), album("b1", 4)
    albums = {AlbumId("a1"): a, AlbumId("b1"): b}
    two = _seed(queue_precache_enabled=False).plan(
        snap((), current=a[1], history=plays(a[:2]), albums=albums)
    )
    assert two.fetches == ()
    three = _seed(queue_precache_enabled=False).plan(
        snap((), current=a[2], history=plays(a[:3]), albums=albums)
    )
    assert set(three.fetch_ids()) == {i.id for i in a}
    assert {f.reason for f in three.fetches} == {Reason.ALBUM}


def test_requests_stay_queued_when_the_queue_is_replaced() -> None:
    q, other = album("a1", 9), album("z9", 3)
    policy = _seed()
    policy.plan(snap(q, current=q[0], history=plays(q[:1]), network=CELL))
    plan = policy.plan(snap(other, network=WIFI))
    assert set(plan.fetch_ids()) == {i.id for i in q[1:6]}


def test_lru_eviction_at_the_storage_limit_never_touches_pins() -> None:
    q = album("a1", 3)
    old = [item(n, "old") for n in range(1, 4)]
    pin = item(1, "pin")
    files = [
        complete(old[0], last_access=50.0),
        complete(old[1], last_access=10.0),
        complete(old[2], last_access=90.0),
        complete(pin, origin=Origin.USER, last_access=1.0),
    ]
    limit = 40 * MB  # full: the next track needs one LRU file to go
    policy = _seed(storage_limit=limit, queue_precache_count=1)
    plan = policy.plan(snap(q, current=q[0], history=plays(q[:1]), files=files, pins=(pin,)))
    assert plan.fetch_ids() == (q[1].id,)
    assert [e.item_id for e in plan.evictions] == [old[1].id]


def test_waits_with_a_reason_when_nothing_can_be_evicted() -> None:
    q = album("a1", 3)
    pin = item(1, "pin", size=20 * MB)
    policy = _seed(storage_limit=25 * MB, queue_precache_count=1)
    files = [complete(pin, origin=Origin.USER)]
    plan = policy.plan(snap(q, current=q[0], history=plays(q[:1]), files=files, pins=(pin,)))
    assert plan.fetches == () and plan.evictions == ()
    assert plan.wait_reason is Wait.STORAGE
