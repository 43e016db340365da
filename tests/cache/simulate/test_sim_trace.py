"""Trace parsing: the format of shared/traces.md, errors with line numbers."""

from __future__ import annotations

import json

import pytest

from cache.simulate import TraceError, parse_trace

TRACK = {
    "type": "track",
    "id": "t1",
    "album_id": "a1",
    "disc": 1,
    "index": 1,
    "size": 100,
    "duration": 10.0,
}
WORLD = {
    "type": "world",
    "storage_limit": 1000,
    "disk_total": 5000,
    "bandwidth": {"ethernet": 100, "wifi": 10, "cellular": 1},
}


def _lines(*objs: object) -> list[str]:
    return [json.dumps(o) for o in objs]


def test_a_valid_trace_parses() -> None:
    trace = parse_trace(
        _lines(
            TRACK,
            WORLD,
            {"t": 0, "type": "network", "kind": "wifi", "ssid": "home"},
            {"t": 1, "type": "queue", "items": ["t1"], "index": 0},
            {"t": 2, "type": "play", "id": "t1"},
            {"t": 3, "type": "pin", "album_id": "a1"},
            {"t": 4, "type": "stop"},
            {"t": 9, "type": "end"},
        )
    )
    assert list(trace.tracks) == ["t1"] and trace.world.storage_limit == 1000
    assert [e.type for e in trace.events] == ["network", "queue", "play", "pin", "stop", "end"]


@pytest.mark.parametrize(
    ("bad", "line", "words"),
    [
        ("{not json", 3, "not JSON"),
        (json.dumps({"t": 1, "type": "play", "id": "nope"}), 3, "unknown track"),
        (json.dumps({"t": 1, "type": "network", "kind": "5g"}), 3, "network.kind"),
        (json.dumps({"t": 1, "type": "dance"}), 3, "unknown type"),
        (json.dumps({"t": 1, "type": "queue", "items": ["t1"], "index": 4}), 3, "outside"),
        (json.dumps({"t": 1, "type": "pin"}), 3, "pin needs"),
    ],
)
def test_errors_name_the_line(bad: str, line: int, words: str) -> None:
    lines = [*_lines(TRACK, WORLD), bad, json.dumps({"t": 9, "type": "end"})]
    with pytest.raises(TraceError, match=f"line {line}: .*{words}"):
        parse_trace(lines)


def test_time_must_not_go_back() -> None:
    lines = _lines(TRACK, WORLD, {"t": 5, "type": "stop"}, {"t": 4, "type": "stop"})
    with pytest.raises(TraceError, match=r"line 4: .*back in time"):
        parse_trace(lines)


def test_track_after_an_event_is_refused() -> None:
    lines = _lines(WORLD, {"t": 0, "type": "stop"}, TRACK)
    with pytest.raises(TraceError, match="line 3: track lines must come before"):
        parse_trace(lines)


def test_world_and_end_are_required() -> None:
    with pytest.raises(TraceError, match="world line must come before"):
        parse_trace(_lines(TRACK, {"t": 0, "type": "end"}))
    with pytest.raises(TraceError, match=r"line 2: .*end event"):
        parse_trace(_lines(TRACK, WORLD))


def test_bad_track_fields() -> None:
    bad = dict(TRACK, size="big")
    with pytest.raises(TraceError, match="line 1: size must be an integer"):
        parse_trace(_lines(bad, WORLD, {"t": 0, "type": "end"}))
