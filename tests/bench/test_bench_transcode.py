"""Bench: the small-storage traces with `transcode_auto` off and on (issue 20 acceptance 4).

Run with `-s` to see the table. With transcode_auto on, every track is sized as the planner sizes
an automatic copy (cache.quality.expected_size, bitrate x duration), exactly what the device's
planner and storage rules count before a copy exists. The traces name no container; their tracks
are taken as the lossless originals the issue is about (a lossy one would keep its size).
Asserted: on a small card a transcoded copy never lowers the hit rate nor adds silent seconds.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cache.planner.config import CacheConfig
from cache.planner.snapshot import Item
from cache.quality import expected_size, parse_setting
from cache.simulate.cli import simulate
from cache.simulate.trace import Trace, parse_trace

TRACES = Path(__file__).resolve().parents[1] / "traces"
SMALL = ("small-storage.jsonl", "commuter.jsonl")
POLICIES = ("seed", "smart")


@dataclass(frozen=True)
class _Original:
    container: str
    size: int
    duration: float


def transcoded(trace: Trace, setting: str) -> Trace:
    """The trace with each track sized as the copy `setting` keeps of a lossless original."""
    profile = parse_setting(setting)

    def resize(item: Item) -> Item:
        size = expected_size(profile, _Original("flac", item.size, item.duration))
        return dataclasses.replace(item, size=size)

    tracks = {k: resize(v) for k, v in trace.tracks.items()}
    albums = {k: tuple(tracks[i.id] for i in v) for k, v in trace.albums.items()}
    return dataclasses.replace(trace, tracks=tracks, albums=albums)


def _run(trace: Trace, policy: str, setting: str) -> dict[str, Any]:
    config = dataclasses.replace(
        CacheConfig(), storage_limit=trace.world.storage_limit, transcode_auto=setting
    )
    sized = transcoded(trace, config.transcode_auto_in_force)
    return simulate(sized, policy, config).to_json()


@pytest.mark.parametrize("name", SMALL)
def test_transcode_auto_on_a_small_card(name: str) -> None:
    with (TRACES / name).open(encoding="utf-8") as fh:
        trace = parse_trace(fh)
    print(f"\n{name}: storage limit {trace.world.storage_limit / 1e9:.2f} GB")
    print(f"{'policy':<7} {'transcode_auto':<15} {'hit rate':>8} {'silent s':>9} {'MB down':>8}")
    for policy in POLICIES:
        results = {s: _run(trace, policy, s) for s in ("off", "opus:128")}
        for setting, r in results.items():
            print(
                f"{policy:<7} {setting:<15} {r['hit_rate']:>8.3f} {r['silent_seconds']:>9.1f}"
                f" {r['downloaded_bytes'] / 1e6:>8.1f}"
            )
        off, on = results["off"], results["opus:128"]
        assert on["hit_rate"] >= off["hit_rate"] - 1e-9
        assert on["silent_seconds"] <= off["silent_seconds"] + 1e-9
