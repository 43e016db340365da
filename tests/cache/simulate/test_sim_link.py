"""The simulator measures the link as the device does (cache/planner/link.py): the policy sees the
outages the trace went through, the rate its transfers reached and its longest stay on Wi-Fi."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from cache.planner import CacheConfig, make_policy
from cache.simulate import parse_trace
from cache.simulate.engine import Simulator

MB = 1_000_000


def test_the_policy_sees_the_outages_and_the_rate_the_replay_went_through() -> None:
    tracks = [
        {"type": "track", "id": f"t{n}", "album_id": "a1", "disc": 1, "index": n,
         "size": 6 * MB, "duration": 200.0}
        for n in range(1, 6)
    ]  # fmt: skip
    events: list[dict[str, Any]] = [
        {"type": "world", "storage_limit": 10**9, "disk_total": 10**11,
         "bandwidth": {"ethernet": 4 * MB, "wifi": 2 * MB, "cellular": MB}},
        {"t": 0, "type": "network", "kind": "wifi"},
        {"t": 1, "type": "queue", "items": [t["id"] for t in tracks], "index": 0},
        {"t": 100, "type": "network", "kind": "offline"},
        {"t": 175, "type": "network", "kind": "wifi"},
        {"t": 400, "type": "network", "kind": "offline"},
        {"t": 430.5, "type": "network", "kind": "wifi"},
        {"t": 500, "type": "end"},
    ]  # fmt: skip
    trace = parse_trace(json.dumps(x) for x in [*tracks, *events])
    config = dataclasses.replace(CacheConfig(), storage_limit=10**9)
    sim = Simulator(trace, make_policy(config), config, "smart")
    sim.run()
    record = sim.link.record(sim.now)
    assert record.outages == (75.0, 30.5)
    assert record.longest_stay == 225.0  # on Wi-Fi from 175 to 400
    assert record.throughput == 2 * MB  # Wi-Fi's bandwidth: the queue downloaded on it
    assert sim._snapshot().link == record  # handed to the policy in every snapshot
