"""silent_seconds and stream-through in the simulator, computed by hand on tiny traces.

One track of 3 MB and 100 s (30 kB of audio a second) streamed under the seed policy, which
downloads nothing without a queue: the stream has the link to itself.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from cache.models import AlbumId, ItemId
from cache.planner import CacheConfig
from cache.planner.snapshot import Item
from cache.simulate import parse_trace, simulate
from cache.simulate.stream import Stream

MB = 1_000_000


def _run(events: list[dict[str, Any]], link: float = MB, through: bool = False) -> dict[str, Any]:
    lines: list[dict[str, Any]] = [
        {"type": "track", "id": "t1", "album_id": "a1", "disc": 1, "index": 1,
         "size": 3 * MB, "duration": 100.0},
        {"type": "world", "storage_limit": 10**9, "disk_total": 10**11,
         "bandwidth": {"ethernet": link, "wifi": link, "cellular": link}},
    ]  # fmt: skip
    trace = parse_trace(json.dumps(x) for x in [*lines, *events])
    config = dataclasses.replace(CacheConfig(), storage_limit=10**9)
    return simulate(trace, "seed", config, stream_through=through).to_json()


def _net(t: float, kind: str) -> dict[str, Any]:
    return {"t": t, "type": "network", "kind": kind}


def _play(t: float) -> dict[str, Any]:
    return {"t": t, "type": "play", "id": "t1"}


DEAD_ZONE = [_net(0, "wifi"), _play(0), _net(10, "offline"), _net(70, "wifi"),
             {"t": 100, "type": "stop"}]  # fmt: skip


def test_a_fast_link_is_never_silent() -> None:
    r = _run([_net(0, "cellular"), _play(0), {"t": 100, "type": "stop"}, {"t": 200, "type": "end"}])
    assert r["streamed"] == 1 and r["silent_seconds"] == 0


def test_a_link_at_half_the_audio_rate_is_silent_half_the_listen() -> None:
    # 15 kB/s for 30 kB/s of audio: 100 s of listening play 50 s of audio
    events = [_net(0, "cellular"), _play(0), {"t": 100, "type": "stop"}, {"t": 200, "type": "end"}]
    assert _run(events, link=15_000)["silent_seconds"] == pytest.approx(50, abs=0.1)


def test_a_dead_zone_outlasting_the_read_ahead_is_silent_for_the_rest() -> None:
    # 30 s of audio buffered at t=10; the link is back at t=70: silent from 40 to 70
    r = _run([*DEAD_ZONE, {"t": 300, "type": "end"}])
    assert r["silent_seconds"] == pytest.approx(30, abs=0.1)
    assert r["downloaded_bytes"] == 0


def test_stream_through_rides_the_dead_zone_and_keeps_the_track() -> None:
    r = _run([*DEAD_ZONE, _play(200), {"t": 300, "type": "end"}], through=True)
    assert r["silent_seconds"] == 0
    assert (r["starts"], r["local"], r["streamed"]) == (2, 1, 1)
    assert r["downloaded_bytes"] == 3 * MB and r["wasted_bytes"] == 0
    assert r["streamed_bytes"] == 0  # counted once, as downloaded


def test_stream_through_on_a_metered_link_keeps_nothing_with_wifi_only() -> None:
    events = [_net(0, "cellular"), _play(0), _play(150), {"t": 300, "type": "end"}]
    r = _run(events, through=True)
    assert (r["local"], r["streamed"]) == (0, 2)
    assert r["downloaded_bytes"] == 0 and r["metered_bytes"] == 0


def test_an_unplayable_start_is_silent_for_its_whole_listen() -> None:
    r = _run([_net(0, "offline"), _play(0), {"t": 40, "type": "stop"}, {"t": 99, "type": "end"}])
    assert r["unplayable"] == 1 and r["silent_seconds"] == pytest.approx(40)


def test_silence_stops_when_the_track_has_played_to_its_end() -> None:
    stream = Stream(Item(ItemId("t"), AlbumId("a"), 3 * MB, 100.0), through=False)
    stream.advance(1000.0, MB)
    assert stream.finished and stream.silent == pytest.approx(0, abs=1e-6)
    slow = Stream(Item(ItemId("t"), AlbumId("a"), 3 * MB, 100.0), through=True)
    slow.advance(1000.0, 15_000)
    assert slow.finished and slow.silent == pytest.approx(100, abs=0.01)  # 200 s for 100 s


def test_a_skipped_stream_through_leaves_its_partial_to_the_plan_on_wifi() -> None:
    # 10 kB/s: 200 kB arrived when the track is skipped at t=20; the replay goes on from them
    events = [_net(0, "wifi"), _play(0), {"t": 20, "type": "stop"}, _play(30),
              {"t": 400, "type": "stop"}, {"t": 500, "type": "end"}]  # fmt: skip
    r = _run(events, link=10_000, through=True)
    assert r["downloaded_bytes"] == pytest.approx(3 * MB, abs=2)  # no byte fetched twice
    assert r["streamed"] == 2 and r["wasted_bytes"] == 0


def test_a_skipped_stream_through_keeps_nothing_on_a_metered_link_with_wifi_only() -> None:
    events = [_net(0, "cellular"), _play(0), {"t": 20, "type": "stop"}, {"t": 500, "type": "end"}]
    r = _run(events, link=10_000, through=True)
    assert r["downloaded_bytes"] == 0 and r["metered_bytes"] == 0 and r["wasted_bytes"] == 0
