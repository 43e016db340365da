"""The controlscript plug-in's pure parts: tapedeck's Player as Snapcast properties, Snapcast's
requests as tapedeck API calls, and the JSON-RPC framing that answers a bad line instead of dying."""

from __future__ import annotations

import json
from typing import Any

import pytest

from player.cli.snapplugin import public_base
from player.snapcast.jsonrpc import (
    INVALID_PARAMS,
    INVALID_REQUEST,
    PARSE_ERROR,
    BadLine,
    LineSplitter,
    Request,
    RpcError,
    error_line,
    parse_line,
)
from player.snapcast.plugin import (
    OFFLINE,
    ApiCall,
    control_call,
    properties,
    property_calls,
    worth_sending,
)
from player.snapcast.tapedeck_link import credentials_for

TRACK = {"id": "t1", "title": "Tone 1", "album": "Tone Album", "album_id": "a1",
         "artists": ["Tone Artist", "Guest"], "duration": 61.5, "track_number": 3}  # fmt: skip
PLAYER = {"state": "playing", "item": TRACK, "position": 12.25, "duration": 61.5, "volume": 70,
          "muted": False, "repeat": "all", "shuffle": True, "queue_index": 0}  # fmt: skip


def test_a_playing_track_becomes_snapcast_properties_and_metadata() -> None:
    props = properties(PLAYER, art_base="http://deck.local:8080")
    assert props["playbackStatus"] == "playing"
    assert props["loopStatus"] == "playlist" and props["shuffle"] is True
    assert props["volume"] == 70 and props["position"] == 12.25
    assert all(props[f] for f in ("canGoNext", "canGoPrevious", "canPlay", "canPause", "canSeek"))
    assert props["canControl"] is True
    assert props["metadata"] == {
        "trackId": "t1", "title": "Tone 1", "artist": ["Tone Artist", "Guest"],
        "album": "Tone Album", "duration": 61.5, "trackNumber": 3,
        "artUrl": "http://deck.local:8080/api/v1/library/albums/a1/image",
    }  # fmt: skip
    assert "mute" not in props  # snapserver 0.26 has no such property and logs one


def test_nothing_loaded_clears_the_metadata_and_offers_no_transport() -> None:
    props = properties({**PLAYER, "state": "stopped", "item": None, "queue_index": None})
    assert props["playbackStatus"] == "stopped"
    assert props["metadata"] == {}  # snapserver keeps old metadata when the key is missing
    assert not any(props[f] for f in ("canGoNext", "canPlay", "canPause", "canSeek"))
    assert "position" not in props


def test_unreachable_tapedeck_is_stopped_and_not_controllable() -> None:
    assert properties(None) == OFFLINE
    assert OFFLINE["playbackStatus"] == "stopped" and OFFLINE["canControl"] is False


def test_odd_player_values_never_break_the_translation() -> None:
    props = properties({"state": "buffering", "item": "x", "volume": "loud", "repeat": None})
    assert props["playbackStatus"] == "stopped" and props["volume"] == 0
    assert props["loopStatus"] == "none" and props["metadata"] == {}


@pytest.mark.parametrize(
    ("command", "path"),
    [("play", "play"), ("pause", "pause"), ("playPause", "toggle"), ("stop", "stop"),
     ("next", "next"), ("previous", "previous")],
)  # fmt: skip
def test_transport_commands_map_to_player_routes(command: str, path: str) -> None:
    assert control_call({"command": command}, PLAYER) == ApiCall("POST", f"/player/{path}")


def test_set_position_and_seek_become_an_absolute_seek() -> None:
    absolute = control_call({"command": "setPosition", "params": {"position": 30}}, None)
    assert absolute == ApiCall("POST", "/player/seek", {"position": 30.0})
    ahead = control_call({"command": "seek", "params": {"offset": 5}}, PLAYER)
    assert ahead == ApiCall("POST", "/player/seek", {"position": 17.25})
    back = control_call({"command": "seek", "params": {"offset": -100}}, PLAYER)
    assert back.body == {"position": 0.0}


@pytest.mark.parametrize(
    ("params", "player"),
    [({"command": "dance"}, PLAYER), ({}, PLAYER),
     ({"command": "setPosition", "params": {"position": "10"}}, PLAYER),
     ({"command": "setPosition", "params": {"position": float("nan")}}, PLAYER),
     ({"command": "seek", "params": [1]}, PLAYER),
     ({"command": "seek", "params": {"offset": 5}}, None)],
)  # fmt: skip
def test_bad_control_params_are_invalid_params(params: dict[str, Any], player: Any) -> None:
    with pytest.raises(RpcError) as err:
        control_call(params, player)
    assert err.value.code == INVALID_PARAMS


def test_set_property_checks_everything_then_makes_one_patch() -> None:
    calls = property_calls({"volume": 40, "loopStatus": "track", "shuffle": False, "mute": True})
    assert calls == [
        ApiCall("POST", "/player/volume", {"volume": 40}),
        ApiCall("PATCH", "/player", {"repeat": "one", "shuffle": False, "muted": True}),
    ]


@pytest.mark.parametrize(
    "params",
    [{}, {"volume": 101}, {"volume": True}, {"shuffle": "yes"}, {"loopStatus": "album"},
     {"rate": 1.5}, {"colour": "red"}, {"volume": 10, "colour": "red"}],
)  # fmt: skip
def test_bad_properties_are_refused_before_any_call(params: dict[str, Any]) -> None:
    with pytest.raises(RpcError) as err:
        property_calls(params)
    assert err.value.code == INVALID_PARAMS


def test_position_ticks_are_not_news_but_seeks_and_changes_are() -> None:
    told = properties(PLAYER)
    assert worth_sending(None, told, 0)
    ticked = properties({**PLAYER, "position": 14.25})
    assert not worth_sending(told, ticked, 2.0)  # the clock ran as Snapcast's clients expect
    assert worth_sending(told, properties({**PLAYER, "position": 40.0}), 2.0)  # a seek
    paused = properties({**PLAYER, "state": "paused"})
    assert worth_sending(told, paused, 0.1)
    assert not worth_sending(paused, properties({**PLAYER, "state": "paused"}), 30.0)


def test_request_lines_parse_and_bad_lines_earn_error_answers() -> None:
    good = b'{"id": 7, "jsonrpc": "2.0", "method": "Plugin.Stream.Player.GetProperties"}'
    assert parse_line(good) == Request(7, "Plugin.Stream.Player.GetProperties", {})
    cases = {
        b"not json": (None, PARSE_ERROR),
        b"\xff\xfe": (None, PARSE_ERROR),
        b"[1, 2]": (None, INVALID_REQUEST),
        b'{"id": 3}': (3, INVALID_REQUEST),
        b'{"id": 4, "method": "X", "params": [1]}': (4, INVALID_PARAMS),
        b'{"id": true, "method": ""}': (None, INVALID_REQUEST),
    }
    for line, (request_id, code) in cases.items():
        parsed = parse_line(line)
        assert isinstance(parsed, BadLine), line
        assert (parsed.id, parsed.error.code) == (request_id, code), line
        answer = json.loads(error_line(parsed.id, parsed.error))
        assert answer["jsonrpc"] == "2.0" and answer["id"] == request_id


def test_lines_are_split_across_chunks_and_over_long_ones_dropped_whole() -> None:
    lines = LineSplitter(limit=10)
    assert lines.feed(b'{"a"') == []
    assert lines.feed(b":1}\n\n  \nxy") == [b'{"a":1}']
    assert lines.feed(b"z\n") == [b"xyz"]
    assert lines.feed(b"0123456789ABC") == [None]  # reported once, as soon as it is too long
    assert lines.feed(b"DEF\nok\n") == [b"ok"]  # its tail is not read as a line


def test_credentials_prefer_the_token_and_reread_the_local_key() -> None:
    assert credentials_for("tok", lambda: "key")() == {"Authorization": "Bearer tok"}
    keys = iter(["first", "second"])
    headers = credentials_for(None, lambda: next(keys))
    assert headers() == {"X-Tapedeck-Local-Key": "first"}
    assert headers() == {"X-Tapedeck-Local-Key": "second"}  # a restarted service's new key
    assert credentials_for(None, lambda: None)() == {}


def test_cover_art_is_offered_at_an_address_other_machines_can_reach() -> None:
    assert public_base("http://192.168.1.5:8080", None) == "http://192.168.1.5:8080"
    assert public_base("http://127.0.0.1:8080", "http://deck.lan") == "http://deck.lan"
    local = public_base("http://127.0.0.1:8080", None)
    assert local.endswith(".local:8080") and "127.0.0.1" not in local
