"""Issue 5, acceptance 3, end to end: the real `tapedeck serve` process and a fake slskd.

Search through the API, pick the best candidate, enqueue it, watch its download events on
/api/v1/events while the test moves the transfer along at slskd, see the file land in the library,
then stop slskd (no Jellyfin is configured either: nothing is reachable) and play the track with
real mpv from the landed local file.

The fake slskd runs on this test's event loop; blocking calls to the service go through threads so
the loop keeps answering the service's polls meanwhile.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import WSMsgType
from aiohttp.test_utils import TestServer

from tests.fakes.slskd import API_KEY, FakeSlskd, Peer
from tests.integration.service import ServiceProcess
from tests.tones import write_silence

pytestmark = [pytest.mark.slow, pytest.mark.mpv]

FOLDER = "@@share\\Music\\Quiet Band\\Empty Rooms"
REMOTE = f"{FOLDER}\\03 - Hush.wav"
FRAMES = 600_000  # 2.4 MB of real WAV audio: room for a started and a later progress event
WAIT = 15.0


class Api:
    """JSON calls and the events WebSocket of the service under test."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session, self.base = session, base
        self.messages: list[dict[str, Any]] = []
        self._arrived = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None

    async def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        async with self.session.request(method, self.base + path, json=body) as response:
            return response.status, await response.json(content_type=None)

    async def listen(self) -> None:
        ws = await self.session.ws_connect(self.base + "/api/v1/events")
        self._reader = asyncio.create_task(self._read(ws), name="test-e2e-events")

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async with ws:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self.messages.append(json.loads(msg.data))
                    self._arrived.set()

    async def download_event(self, event: str) -> dict[str, Any]:
        def found() -> list[dict[str, Any]]:
            return [m["download"] for m in self.messages
                    if m["type"] == "download" and m["event"] == event]  # fmt: skip

        async with asyncio.timeout(WAIT):
            while not found():
                self._arrived.clear()
                await self._arrived.wait()
        return found()[-1]

    async def stop_listening(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)


@pytest.fixture
async def fake(tmp_path: Path) -> AsyncIterator[tuple[FakeSlskd, TestServer]]:
    fake = FakeSlskd(downloads_dir=tmp_path / "slskd-downloads")
    fake.downloads_dir.mkdir()  # type: ignore[union-attr]
    audio = write_silence(tmp_path / "hush.wav", FRAMES).read_bytes()
    fake.add_peer(Peer("quiet peer", {REMOTE: audio}))
    fake.add_peer(Peer("mp3 peer", {REMOTE.replace(".wav", ".mp3"): audio[:5000]},
                       bit_rates={REMOTE.replace(".wav", ".mp3"): 128}))  # fmt: skip
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    yield fake, server
    await server.close()


@pytest.fixture
async def service(
    tmp_path: Path, fake: tuple[FakeSlskd, TestServer]
) -> AsyncIterator[ServiceProcess]:
    _, server = fake
    slskd = {
        "url": str(server.make_url("/")), "api_key": API_KEY,
        "downloads_dir": str(tmp_path / "slskd-downloads"), "poll_active": 0.1, "poll_idle": 0.5,
    }  # fmt: skip
    process = ServiceProcess(tmp_path / "svc", extra={"slskd": slskd, "library": {"demo": False}})
    await asyncio.to_thread(process.start)
    try:
        yield process
    finally:
        await asyncio.to_thread(process.stop)


async def _until_complete(api: Api, search_id: str) -> dict[str, Any]:
    async with asyncio.timeout(WAIT):
        while True:
            status, body = await api.call("GET", f"/api/v1/slskd/searches/{search_id}")
            assert status == 200, body
            if body["complete"]:
                return body  # type: ignore[no-any-return]
            await asyncio.sleep(0.05)


async def test_search_enqueue_land_and_play_offline(
    service: ServiceProcess, fake: tuple[FakeSlskd, TestServer]
) -> None:
    slskd, server = fake
    async with aiohttp.ClientSession() as session:
        api = Api(session, service.base_url)
        await api.listen()
        try:
            item_id = await _acquire(api, slskd)
        finally:
            await api.stop_listening()
        await server.close()  # slskd gone; no Jellyfin configured: the network is out of reach
        status, body = await api.call("POST", "/api/v1/slskd/searches", {"query": "hush"})
        assert (status, body["error"]["code"]) == (503, "upstream_unavailable")

        status, _ = await api.call(
            "POST", "/api/v1/queue", {"item_ids": [item_id], "mode": "replace", "play": True}
        )
        assert status == 200
        _, player = await api.call("GET", "/api/v1/player")
        assert player["item"]["id"] == item_id and player["item"]["source"] == "slskd"
        assert (player["state"], player["playing_from"]) == ("playing", "local")
        assert "Traceback" not in service.log_tail(400)


async def _acquire(api: Api, slskd: FakeSlskd) -> str:
    """Search, enqueue the best candidate, drive the transfer, wait for the landed track."""
    status, started = await api.call("POST", "/api/v1/slskd/searches", {"query": "empty rooms"})
    assert status == 202, started
    result = await _until_complete(api, started["id"])
    best = result["candidates"][0]
    assert best["username"] == "quiet peer"  # lossless beats a 128 kbps mp3
    files = [{"filename": f["filename"], "size": f["size"]} for f in best["files"]]
    status, body = await api.call(
        "POST", "/api/v1/slskd/downloads", {"username": best["username"], "files": files}
    )
    assert status == 201, body
    download = body["downloads"][0]
    assert download["source"] == "slskd"
    tid = slskd.by_name(REMOTE).id
    slskd.progress(tid, 1_100_000)
    assert 0 < (await api.download_event("started"))["progress"] < 1
    slskd.progress(tid, 2_250_000)
    assert (await api.download_event("progress"))["bytes_downloaded"] == 2_250_000
    slskd.complete(tid)
    assert (await api.download_event("completed"))["id"] == download["id"]
    status, listed = await api.call("GET", "/api/v1/downloads?status=completed")
    assert [d["source"] for d in listed["downloads"]] == ["slskd"]
    status, track = await api.call("GET", f"/api/v1/library/tracks/{download['item_id']}")
    assert status == 200 and track["title"] == "Hush" and track["available_offline"]
    return str(download["item_id"])
