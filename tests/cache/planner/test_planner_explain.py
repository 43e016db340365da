"""The policy's reasons in a person's words (GET /api/v1/cache, the Settings screen)."""

from __future__ import annotations

from planner_kit import CELL, WIFI, album, complete, plays, snap

from cache.planner import CacheConfig
from cache.planner.explain import reasons
from cache.planner.smart import SmartPolicy

HOME = plays(album("h0", 12), start=-50_000.0)  # a settled box on Wi-Fi: a 20-minute lookahead


def test_the_queue_kept_ready_in_minutes() -> None:
    q = album("a1", 30)  # 4-minute tracks
    s = snap(q, current=q[0], history=HOME, files=[complete(q[1])])
    plan = SmartPolicy(CacheConfig(lookahead_minutes_unmetered=40)).plan(s)
    assert reasons(plan, s)[0] == "keeping the next 40 minutes of your queue"


def test_waiting_for_wifi_on_a_metered_link() -> None:
    q = album("a1", 30)
    s = snap(q, current=q[0], history=HOME, network=CELL)
    assert reasons(SmartPolicy(CacheConfig()).plan(s), s) == ("waiting for Wi-Fi",)


def test_nothing_to_do_says_so() -> None:
    s = snap((), history=HOME, network=WIFI)
    assert reasons(SmartPolicy(CacheConfig()).plan(s), s) == ("nothing to fetch now",)
