"""The simulator: figures computed by hand on tiny traces, model rules, the CLI, determinism."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from cache.planner import CacheConfig, Evict, Plan, Snapshot
from cache.simulate import SimulationError, Simulator, main, parse_trace, run_file, simulate

REPO = Path(__file__).resolve().parents[3]
TRACES = REPO / "tests" / "traces"
SAMPLES = REPO / ".." / "shared" / "traces"
KEYS = [
    "policy",
    "starts",
    "local",
    "streamed",
    "unplayable",
    "hit_rate",
    "downloaded_bytes",
    "wasted_bytes",
    "metered_bytes",
    "streamed_bytes",
    "max_storage_bytes",
    "silent_seconds",
]
MB = 1_000_000


def _trace(tmp_path: Path, events: list[dict[str, Any]], limit: int = 10**9) -> Path:
    lines: list[dict[str, Any]] = [
        {
            "type": "track",
            "id": f"t{n}",
            "album_id": "a1",
            "disc": 1,
            "index": n,
            "size": 3 * MB,
            "duration": 100.0,
        }
        for n in (1, 2, 3)
    ]
    lines.append(
        {
            "type": "world",
            "storage_limit": limit,
            "disk_total": 10**11,
            "bandwidth": {"ethernet": 10 * MB, "wifi": MB, "cellular": MB},
        }
    )
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in [*lines, *events]) + "\n")
    return path


def _listen(kind: str, first_play: float) -> list[dict[str, Any]]:
    return [
        {"t": 0, "type": "network", "kind": kind},
        {"t": 0, "type": "queue", "items": ["t1", "t2", "t3"], "index": 0},
        {"t": first_play, "type": "play", "id": "t1"},
        {"t": 110, "type": "play", "id": "t2"},
        {"t": 210, "type": "play", "id": "t3"},
        {"t": 250, "type": "stop"},
        {"t": 300, "type": "end"},
    ]


def test_everything_local_when_there_is_time(tmp_path: Path) -> None:
    r = run_file(_trace(tmp_path, _listen("wifi", 10)), "smart")
    assert list(r) == KEYS
    assert (r["starts"], r["local"], r["streamed"], r["unplayable"]) == (3, 3, 0, 0)
    assert r["hit_rate"] == 1.0 and r["downloaded_bytes"] == 9 * MB
    assert r["wasted_bytes"] == 0 and r["max_storage_bytes"] == 9 * MB


def test_a_start_before_the_file_is_complete_is_streamed(tmp_path: Path) -> None:
    # t1, the next track, has 1 MB/s to itself; at t=1 it has 1 MB, is streamed and its download
    # is dropped; t2 and t3 follow
    r = run_file(_trace(tmp_path, _listen("wifi", 1)), "smart")
    assert (r["local"], r["streamed"]) == (2, 1)
    assert r["streamed_bytes"] == 3 * MB  # listened 109 s of a 100 s track: the whole file
    assert r["downloaded_bytes"] == 7 * MB
    assert r["wasted_bytes"] == 1 * MB  # the partial of t1, never started from disk


def test_offline_start_is_unplayable(tmp_path: Path) -> None:
    r = run_file(_trace(tmp_path, _listen("offline", 10)), "smart")
    assert (r["local"], r["streamed"], r["unplayable"]) == (0, 0, 3)
    assert r["downloaded_bytes"] == 0


def test_wifi_only_means_no_metered_bytes(tmp_path: Path) -> None:
    path = _trace(tmp_path, _listen("cellular", 10))
    r = run_file(path, "smart")
    assert r["metered_bytes"] == 0 and r["streamed"] == 3
    config = tmp_path / "tapedeck.toml"
    config.write_text("[server]\nport = 1\n[cache]\nwifi_only = false\n")
    allowed = run_file(path, "smart", config)
    assert allowed["metered_bytes"] == allowed["downloaded_bytes"] > 0


def test_pinned_files_are_never_waste(tmp_path: Path) -> None:
    events = [
        {"t": 0, "type": "network", "kind": "wifi"},
        {"t": 0, "type": "pin", "album_id": "a1"},
        {"t": 100, "type": "end"},
    ]
    for policy in ("seed", "smart"):
        r = run_file(_trace(tmp_path, events), policy)
        assert r["downloaded_bytes"] == 9 * MB and r["wasted_bytes"] == 0


def test_storage_never_exceeds_the_limit(tmp_path: Path) -> None:
    r = run_file(_trace(tmp_path, _listen("wifi", 10), limit=7 * MB), "smart")
    assert r["max_storage_bytes"] <= 7 * MB
    for name in ("small-storage", "queue-churn"):
        path = TRACES / f"{name}.jsonl"
        limit = parse_trace(path.read_text().splitlines()).world.storage_limit
        for policy in ("seed", "smart", "oracle"):
            assert run_file(path, policy)["max_storage_bytes"] <= limit


def test_main_prints_one_json_object_byte_identical(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(TRACES / "commuter.jsonl")
    assert main([path, "--policy", "smart"]) == 0
    first = capsys.readouterr().out
    assert main([path, "--policy", "smart"]) == 0
    assert capsys.readouterr().out == first
    assert list(json.loads(first)) == KEYS and first.count("\n") == 1


def test_the_config_file_chooses_the_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[cache]\npolicy = "seed"\n')
    assert main([str(_trace(tmp_path, _listen("wifi", 10))), "--config", str(config)]) == 0
    assert json.loads(capsys.readouterr().out)["policy"] == "seed"


def test_bad_inputs_exit_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "world"}\n')
    assert main([str(bad)]) == 2
    assert "line 1" in capsys.readouterr().err
    config = tmp_path / "c.toml"
    config.write_text("[cache]\nstorage_limit = -5\n")
    assert main([str(_trace(tmp_path, _listen("wifi", 10))), "--config", str(config)]) == 2
    assert "storage_limit" in capsys.readouterr().err


def test_a_policy_that_evicts_the_playing_track_is_caught(tmp_path: Path) -> None:
    class Rogue:
        config = CacheConfig()

        def plan(self, snap: Snapshot) -> Plan:
            return Plan(evictions=(Evict(snap.current, "oops"),) if snap.current else ())

    trace = parse_trace(_trace(tmp_path, _listen("wifi", 10)).read_text().splitlines())
    with pytest.raises(SimulationError):
        Simulator(trace, Rogue(), CacheConfig(), "rogue").run()


@pytest.mark.parametrize("name", ["sample-commute", "sample-kitchen"])
def test_samples_run_and_are_deterministic(name: str) -> None:
    path = SAMPLES / f"{name}.jsonl"
    if not path.exists():
        pytest.skip("shared samples absent")
    trace = parse_trace(path.read_text().splitlines())
    config = dataclasses.replace(CacheConfig(), storage_limit=trace.world.storage_limit)
    a = simulate(trace, "smart", config).to_json()
    b = simulate(trace, "smart", config).to_json()
    assert a == b and a["metered_bytes"] == 0 and a["max_storage_bytes"] <= config.storage_limit


def test_committed_traces_match_the_generator(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "tapedeck_trace_generator", TRACES / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = generate  # dataclasses look their module up while the file runs
    try:
        spec.loader.exec_module(generate)
    finally:
        del sys.modules[spec.name]
    for path in generate.write_all(tmp_path):
        assert path.read_bytes() == (TRACES / path.name).read_bytes(), path.name
    total = sum(p.stat().st_size for p in TRACES.glob("*.jsonl"))
    assert total < 400_000


def test_the_queue_oracle_fetches_only_what_the_queue_holds(tmp_path: Path) -> None:
    # t3 is queued only after the Wi-Fi is gone: the oracle fetched it beforehand, the queue's
    # oracle (the bound of any policy that reads the queue) cannot have
    events = [
        {"t": 0.0, "type": "network", "kind": "wifi"},
        {"t": 1.0, "type": "queue", "items": ["t1"], "index": 0},
        {"t": 2.0, "type": "play", "id": "t1"},
        {"t": 50.0, "type": "network", "kind": "offline"},
        {"t": 60.0, "type": "queue", "items": ["t3"], "index": 0},
        {"t": 61.0, "type": "play", "id": "t3"},
        {"t": 200.0, "type": "end"},
    ]
    path = _trace(tmp_path, events)
    assert run_file(path, "oracle")["local"] == 1
    bound = run_file(path, "queue-oracle")
    assert bound["local"] == 0 and bound["unplayable"] == 1
