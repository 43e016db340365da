"""The device's record of its own network (cache/planner/link.py) and what the smart policy makes of
it: on a link measured fast against the listening, the lookahead bridges twice the longest recent
outage instead of the full minutes (issue 18: a kitchen speaker's end-of-session overshoot)."""

from __future__ import annotations

import dataclasses
import math

from planner_kit import MB, album, plays, snap

from cache.planner import CacheConfig, SmartPolicy
from cache.planner.link import BUSY_GAP, RATE_HORIZON, LinkLog
from cache.planner.smart import FAST_LINK, OUTAGE_MARGIN, URGENT_SECONDS
from cache.planner.snapshot import LinkRecord, Snapshot

# a settled home device (its plays are of another album: the queue's tracks count whole)
HOME_PLAYS = plays(album("h0", 30), start=-10_000.0)
TRACK = 240.0  # seconds, each of 10 MB
CONSUMED = 10 * MB / TRACK  # bytes/s the listening goes through


def test_offline_spells_are_measured_from_going_offline_to_coming_back() -> None:
    log = LinkLog()
    log.network(True, 0.0)
    log.network(False, 100.0)
    log.network(False, 130.0)  # the watcher says it again: the spell goes on from 100
    log.network(True, 160.0)
    log.network(True, 170.0)
    log.network(False, 200.0)  # still offline: not an outage of known length yet
    assert log.record(0.0).outages == (60.0,)


def test_the_longest_stay_counts_unbroken_time_on_an_unmetered_link() -> None:
    log = LinkLog()
    log.network(True, 0.0)
    log.network(True, 50.0, metered=True)  # a phone's hotspot: the stay ends
    assert log.record(60.0).longest_stay == 50.0
    log.network(True, 100.0)
    assert log.record(400.0).longest_stay == 300.0  # the present stay, still going
    log.network(False, 500.0)
    log.network(True, 520.0)
    assert log.record(600.0).longest_stay == 400.0  # an outage ends a stay too


def test_the_rate_is_bytes_over_transfer_time_and_old_transfers_fade() -> None:
    log = LinkLog()
    assert log.record(0.0).throughput is None  # unmeasured
    log.moved(10 * MB, 5.0)
    assert log.record(0.0).throughput == 2 * MB
    log.moved(4 * RATE_HORIZON * 1 * MB, 4 * RATE_HORIZON)  # a long slower stretch since
    rate = log.record(0.0).throughput
    assert rate is not None and 1 * MB < rate < 1.01 * MB


def test_progress_reports_count_only_while_the_link_is_busy() -> None:
    log = LinkLog()
    log.progress(50 * MB, 1000.0)  # the first report after idle: its bytes took unknown time
    assert log.record(0.0).throughput is None
    log.progress(2 * MB, 1001.0)
    log.progress(2 * MB, 1002.0)
    assert log.record(0.0).throughput == 2 * MB
    log.progress(80 * MB, 1002.0 + 2 * BUSY_GAP)  # after a pause: not a rate
    assert log.record(0.0).throughput == 2 * MB


def _wanted(link: LinkRecord) -> int:
    q = album("k1", 40)  # 4-minute tracks of 10 MB
    policy = SmartPolicy(CacheConfig(lookahead_minutes_unmetered=20))
    s: Snapshot = dataclasses.replace(snap(q, current=q[0], history=HOME_PLAYS), link=link)
    return len(policy.wanted(s))


def _tracks(seconds: float) -> int:
    return math.ceil(seconds / TRACK)


def test_a_fast_steady_link_keeps_twice_its_longest_outage_ahead() -> None:
    fast = 1.01 * FAST_LINK * CONSUMED
    full = _wanted(LinkRecord())  # unmeasured: the full 20 minutes
    assert full == _tracks(20 * 60)
    assert _wanted(LinkRecord((), fast)) == _tracks(URGENT_SECONDS)  # no outage seen yet
    assert _wanted(LinkRecord((120.0, 400.0, 90.0), fast)) == _tracks(OUTAGE_MARGIN * 400.0)
    assert _wanted(LinkRecord((5000.0,), fast)) == full  # never more than the configured minutes


def test_a_slow_link_keeps_the_full_lookahead() -> None:
    assert _wanted(LinkRecord((60.0,), 0.9 * FAST_LINK * CONSUMED)) == _wanted(LinkRecord())
