"""Socket messages as typed requests; anything malformed is a RemoteMessageError, never a crash."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cache.jellyfin.playstate import RepeatMode
from cache.jellyfin.remote.messages import (
    DisplayMessage,
    KeepAliveAsked,
    MuteChange,
    MuteRequest,
    PlayCommand,
    PlayItems,
    PlaystateCommand,
    PlaystateRequest,
    RemoteMessageError,
    RepeatRequest,
    SetVolumeRequest,
    ShuffleRequest,
    StepVolumeRequest,
    parse_message,
)

A, B = "a" * 32, "b" * 32


def msg(kind: str, data: Any = None) -> str:
    return json.dumps({"MessageType": kind, "MessageId": "0" * 32, "Data": data})


def general(name: str, **args: str) -> str:
    return msg("GeneralCommand", {"Name": name, "Arguments": args})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (msg("ForceKeepAlive", 60), KeepAliveAsked(60.0)),
        (msg("Play", {"ItemIds": [A, B], "PlayCommand": "PlayNow", "StartIndex": 1,
                      "StartPositionTicks": 25_000_000}),
         PlayItems((A, B), PlayCommand.PLAY_NOW, 1, 2.5)),  # type: ignore[arg-type]
        (msg("Play", {"ItemIds": ["AAAAAAAA-AAAA-AAAA-AAAA-AAAAAAAAAAAA"], "PlayCommand": "PlayLast"}),
         PlayItems(("a" * 32,), PlayCommand.PLAY_LAST)),  # type: ignore[arg-type]
        (msg("Playstate", {"Command": "PlayPause"}), PlaystateRequest(PlaystateCommand.PLAY_PAUSE)),
        (msg("Playstate", {"Command": "Seek", "SeekPositionTicks": 100_000_000}),
         PlaystateRequest(PlaystateCommand.SEEK, 10.0)),
        (general("SetVolume", Volume="35"), SetVolumeRequest(35)),
        (general("VolumeDown"), StepVolumeRequest(up=False)),
        (general("Unmute"), MuteRequest(MuteChange.UNMUTE)),
        (general("SetRepeatMode", RepeatMode="RepeatOne"), RepeatRequest(RepeatMode.ONE)),
        (general("SetShuffleQueue", ShuffleMode="Shuffle"), ShuffleRequest(True)),
        (general("DisplayMessage", Header="Hi", Text="there", TimeoutMs="5000"),
         DisplayMessage("Hi", "there")),
        (general("GoHome"), None),  # a speaker has no home screen
        (msg("UserDataChanged", {"UserId": A}), None),
    ],
)  # fmt: skip
def test_messages_parse(text: str, expected: object) -> None:
    assert parse_message(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "[1, 2]",
        '{"Data": {}}',
        msg("Nonsense"),
        msg("Play", {"ItemIds": [], "PlayCommand": "PlayNow"}),
        msg("Play", {"ItemIds": ["not-a-guid"], "PlayCommand": "PlayNow"}),
        msg("Play", {"ItemIds": [A], "PlayCommand": "PlayLoud"}),
        msg("Play", {"ItemIds": [A], "PlayCommand": "PlayNow", "StartIndex": 3}),
        msg("Playstate", {"Command": "Seek", "SeekPositionTicks": -1}),
        msg("Playstate", {"Command": "Seek"}),
        msg("Playstate", {"Command": "Seek", "SeekPositionTicks": "NaN"}),
        msg("Playstate", {"Command": "Explode"}),
        general("SetVolume", Volume="abc"),
        general("SetVolume", Volume="101"),
        general("SetRepeatMode", RepeatMode="RepeatForever"),
        general("SetShuffleQueue", ShuffleMode="Sideways"),
        msg("GeneralCommand", "SetVolume"),
        msg("ForceKeepAlive", 0),
        "[" * 100_000,
    ],
)
def test_malformed_messages_raise_one_error_type(text: str) -> None:
    with pytest.raises(RemoteMessageError):
        parse_message(text)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
KINDS = st.sampled_from(["Play", "Playstate", "GeneralCommand", "ForceKeepAlive", "Other"])
NAMES = st.sampled_from(["SetVolume", "SetRepeatMode", "SetShuffleQueue", "DisplayMessage", "Mute"])


@settings(max_examples=400, deadline=None)
@given(kind=KINDS, name=NAMES, data=JSON, args=JSON)
def test_no_message_crashes_the_parser(kind: str, name: str, data: Any, args: Any) -> None:
    shapes = [msg(kind, data), msg(kind, {"Name": name, "Arguments": args}),
              msg(kind, {"ItemIds": data, "PlayCommand": "PlayNow", "StartIndex": args})]  # fmt: skip
    for text in shapes:
        with contextlib.suppress(RemoteMessageError):
            parse_message(text)
