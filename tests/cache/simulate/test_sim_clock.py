"""The simulator's clock cannot stall: whole milliseconds from the first event, every jump at least
one, so a sample shifted to epoch timestamps gives exactly the figures of the sample itself (issue
14, acceptance 5; the year-long run's timing is printed by tests/bench/test_bench_policies.py)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from cache.planner import CacheConfig
from cache.simulate import parse_trace, simulate
from cache.simulate.trace import Trace

REPO = Path(__file__).resolve().parents[3]
SHARED = sorted((REPO / ".." / "shared" / "traces").glob("*.jsonl"))
SAMPLES = [*SHARED, REPO / "tests" / "traces" / "commuter.jsonl"]
EPOCH = 1_764_547_200  # 2025-12-01T00:00:00Z


def shifted(lines: list[str], by: float) -> list[str]:
    """The same trace with every event's `t` moved `by` seconds later."""
    out = []
    for raw in lines:
        obj = json.loads(raw)
        if "t" in obj:
            obj["t"] = obj["t"] + by
        out.append(json.dumps(obj))
    return out


def figures(trace: Trace, policy: str) -> dict[str, object]:
    config = dataclasses.replace(CacheConfig(), storage_limit=trace.world.storage_limit)
    return simulate(trace, policy, config).to_json()


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_epoch_timestamps_give_the_figures_of_the_sample(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    plain, epoch = parse_trace(lines), parse_trace(shifted(lines, EPOCH))
    assert [e.tick for e in plain.events] == [e.tick for e in epoch.events]
    for policy in ("smart", "seed", "oracle"):
        assert figures(epoch, policy) == figures(plain, policy), policy


def test_a_step_smaller_than_the_clock_can_hold_still_moves_it() -> None:
    # at t = 1e12 s a float clock cannot add a microsecond; the tick clock always moves one on
    lines = [
        json.dumps({"type": "track", "id": "t1", "album_id": "a", "size": 1, "duration": 1.0}),
        json.dumps(
            {
                "type": "world",
                "storage_limit": 10**9,
                "disk_total": 10**12,
                "bandwidth": {"ethernet": 10**9, "wifi": 10**9, "cellular": 10**9},
            }
        ),
        json.dumps({"t": 1e12, "type": "network", "kind": "wifi"}),
        json.dumps({"t": 1e12, "type": "queue", "items": ["t1"], "index": 0}),
        json.dumps({"t": 1e12 + 5, "type": "play", "id": "t1"}),
        json.dumps({"t": 1e12 + 10, "type": "end"}),
    ]
    r = figures(parse_trace(lines), "smart")
    assert (r["starts"], r["local"], r["downloaded_bytes"]) == (1, 1, 1)
