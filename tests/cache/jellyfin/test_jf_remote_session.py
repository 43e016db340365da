"""The cast-target session against the fake Jellyfin's session API, in one event loop."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

from cache.errors import SourceBadRequestError
from cache.jellyfin import JellyfinClient, JellyfinConfig, JellyfinState
from cache.jellyfin.playstate import RepeatMode
from cache.jellyfin.remote.messages import (
    DisplayMessage,
    MuteChange,
    MuteRequest,
    PlayCommand,
    PlayItems,
    PlaystateCommand,
    PlaystateRequest,
    RemoteRequest,
    RepeatRequest,
    SetVolumeRequest,
)
from cache.jellyfin.remote.session import (
    CAPABILITIES_PATH,
    RemoteSession,
    RemoteTimings,
    capabilities,
    keepalive_interval,
)
from tests.fakes.jellyfin import FakeJellyfin, FakeTrack
from tests.fakes.jellyfin_app import JellyfinApp
from tests.fakes.jellyfin_sessions import KEEPALIVE_TIMEOUT, FakeSession
from tests.polling import until

QUICK = RemoteTimings(backoff=(0.05, 0.1, 0.2))
NAME = "Kitchen Pi"


@dataclass
class Rig:
    fake: FakeJellyfin
    http: aiohttp.ClientSession
    client: JellyfinClient
    tracks: list[FakeTrack]
    got: list[RemoteRequest] = field(default_factory=list)

    def session(self, timings: RemoteTimings = QUICK) -> RemoteSession:
        return RemoteSession(self.client, self.http, self.fake.url, self.got.append, timings)

    def target(self) -> FakeSession:
        found = self.fake.hub.by_name(NAME)
        assert found is not None
        return found

    async def app(self) -> JellyfinApp:
        return await asyncio.to_thread(JellyfinApp(self.fake.url).login, "alice", "secret")


async def make_rig(tmp_path: Path, fake: FakeJellyfin) -> tuple[Rig, aiohttp.ClientSession]:
    fake.add_user("alice", "secret")
    _album, tracks = fake.add_album("Blue", [1000, 2000, 3000])
    await fake.start()
    http = aiohttp.ClientSession()
    config = JellyfinConfig(fake.url, username="alice", password="secret", device_name=NAME)
    client = JellyfinClient(config, JellyfinState(tmp_path / "jf"), http)
    return Rig(fake, http, client, tracks), http


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    made, http = await make_rig(tmp_path, FakeJellyfin(keepalive_timeout=1.0))
    try:
        yield made
    finally:
        await http.close()
        await made.fake.close()


@contextlib.asynccontextmanager
async def running(session: RemoteSession) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(session.run())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_listed_as_cast_target_once_connected(rig: Rig) -> None:
    app = await rig.app()
    assert await asyncio.to_thread(app.target, NAME) is None  # logged in, not yet a target
    async with running(session := rig.session()):
        await asyncio.wait_for(session.connected.wait(), 5)
        found = await asyncio.to_thread(app.target, NAME)
        assert found is not None and found["SupportsMediaControl"]
        assert found["PlayableMediaTypes"] == ["Audio"]
        assert found["DeviceId"] == rig.client.device_id  # one session: REST, socket, reports
    await until(lambda: not rig.target().controllable)  # socket closed: gone from the menu


async def test_keeps_alive_well_within_the_servers_patience(rig: Rig) -> None:
    async with running(session := rig.session()):
        await asyncio.wait_for(session.connected.wait(), 5)
        await asyncio.sleep(3.0)  # three times the fake's 1 s patience
        assert rig.fake.hub.drops == []
        assert session.connects == 1
        kinds = [m.get("MessageType") for m in rig.target().received if isinstance(m, dict)]
        assert kinds.count("KeepAlive") >= 4  # one every 0.5 s


def test_the_default_keepalive_rule() -> None:
    assert KEEPALIVE_TIMEOUT == 60.0 and FakeJellyfin().hub.keepalive_timeout == 60.0
    assert keepalive_interval(60.0) == 30.0  # apps send every 30 s, or timeout/2
    assert keepalive_interval(0.2) == 0.1


async def test_a_silent_socket_is_dropped_by_the_fake(rig: Rig) -> None:
    token = await rig.client.ensure_auth()
    url = rig.fake.url.replace("http://", "ws://") + "/socket"
    async with rig.http.ws_connect(url, headers=rig.client.auth_headers(token)) as ws:
        hello = json.loads((await ws.receive(timeout=5)).data)
        assert hello["MessageType"] == "ForceKeepAlive" and hello["Data"] == 1.0
        assert len(hello["MessageId"]) == 32
        closed = await ws.receive(timeout=5)  # says nothing: the fake hangs up after 1 s
        assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert rig.fake.hub.drops == [rig.client.device_id]


async def test_capabilities_traps(rig: Rig) -> None:
    await rig.client.call("POST", CAPABILITIES_PATH, body=capabilities())
    assert rig.target().capabilities == {
        "playablemediatypes": ["Audio"],
        "supportedcommands": list(capabilities()["SupportedCommands"]),
        "supportsmediacontrol": True,
        "supportspersistentidentifier": True,
    }
    await rig.client.call("POST", CAPABILITIES_PATH, body={"Capabilities": capabilities()})
    assert rig.target().capabilities == {}  # 204, and erased
    bad = capabilities() | {"SupportedCommands": ["Play", "Stop"]}
    with pytest.raises(SourceBadRequestError):  # the 400
        await rig.client.call("POST", CAPABILITIES_PATH, body=bad)


async def test_legacy_auth_opens_no_socket(rig: Rig) -> None:
    token = await rig.client.ensure_auth()
    url = rig.fake.url.replace("http://", "ws://") + "/socket"
    for query, headers in (({"api_key": token}, {}), ({}, {"X-Emby-Token": token})):
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            async with rig.http.ws_connect(url, params=query, headers=headers):
                pass
        assert refused.value.status == 401
    assert [what for _m, _p, what in rig.fake.legacy_attempts] == ["api_key", "X-Emby-Token"]
    async with rig.http.ws_connect(url, params={"ApiKey": token}) as ws:  # 12.0 still takes this
        assert json.loads((await ws.receive(timeout=5)).data)["MessageType"] == "ForceKeepAlive"


async def test_an_apps_commands_arrive_typed(rig: Rig) -> None:
    app = await rig.app()
    ids = [t.id for t in rig.tracks]
    async with running(session := rig.session()):
        await asyncio.wait_for(session.connected.wait(), 5)
        sid = (await asyncio.to_thread(app.wait_for_target, NAME))["Id"]
        album = rig.tracks[0].album_id
        await asyncio.to_thread(app.play, sid, [album], start_index=2, start_seconds=1.5)
        await asyncio.to_thread(app.playstate, sid, "Seek", seek_seconds=42.0)
        await asyncio.to_thread(app.command, sid, "SetVolume", Volume=35)
        await asyncio.to_thread(app.command, sid, "ToggleMute")
        await asyncio.to_thread(app.command, sid, "SetRepeatMode", RepeatMode="RepeatAll")
        await asyncio.to_thread(app.message, sid, "Hello", "Dinner is ready")
        await until(lambda: len(rig.got) == 6)
    assert rig.got == [
        PlayItems(tuple(ids), PlayCommand.PLAY_NOW, 2, 1.5),  # type: ignore[arg-type]
        PlaystateRequest(PlaystateCommand.SEEK, 42.0),
        SetVolumeRequest(35),
        MuteRequest(MuteChange.TOGGLE),
        RepeatRequest(RepeatMode.ALL),
        DisplayMessage("Hello", "Dinner is ready"),
    ]


async def test_bad_messages_are_ignored_and_the_socket_stays(rig: Rig) -> None:
    async with running(session := rig.session()):
        await asyncio.wait_for(session.connected.wait(), 5)
        target = rig.target()
        for text in ("{not json", "[]", '{"MessageType": "Bogus"}', '{"MessageType": "Play"}',
                     '{"MessageType": "Playstate", "Data": {"Command": "Seek", "SeekPositionTicks": -5}}',
                     '{"MessageType": "GeneralCommand", "Data": {"Name": "SetVolume", "Arguments": {"Volume": "abc"}}}',
                     '{"MessageType": "UserDataChanged", "Data": {}}'):  # fmt: skip
            await rig.fake.hub.send_raw(target, text)
        await rig.fake.hub.send(target, "Playstate", {"Command": "Pause"})
        await until(lambda: len(rig.got) == 1)
        assert rig.got == [PlaystateRequest(PlaystateCommand.PAUSE)]
        assert session.connected.is_set() and session.connects == 1


async def test_reconnects_and_posts_capabilities_again(rig: Rig) -> None:
    async with running(session := rig.session()):
        await asyncio.wait_for(session.connected.wait(), 5)
        assert rig.target().capability_posts == 1
        port = int(rig.fake.url.rsplit(":", 1)[1])
        await rig.fake.close()  # the socket closes, then connections are refused
        await until(lambda: not session.connected.is_set())
        await asyncio.sleep(0.5)
        await rig.fake.start(port)
        await asyncio.wait_for(session.connected.wait(), 5)
        assert session.connects == 2
        assert rig.target().capability_posts == 2 and rig.target().controllable


async def test_a_flood_of_junk_is_logged_a_few_times_only(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(session := rig.session()):
        await asyncio.wait_for(session.connected.wait(), 5)
        for n in range(200):
            await rig.fake.hub.send_raw(rig.target(), f"junk {n}")
        await rig.fake.hub.send(rig.target(), "Playstate", {"Command": "Stop"})
        await until(lambda: len(rig.got) == 1)  # the junk before it was all read
    ignored = [r for r in caplog.records if "ignored a Jellyfin socket message" in r.message]
    assert len(ignored) == QUICK.bad_message_lines
