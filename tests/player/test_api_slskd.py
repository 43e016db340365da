"""Issue 5 over the API: slskd searches, candidates, enqueues, Download objects and their events;
acceptance 4: slskd down, answering 401 or 500 is a clear `upstream_unavailable`, and tracking
resumes by itself when slskd is back.

An in-process service (fake engine, real SQLite) talks to the fake slskd over real HTTP on 127.0.0.1;
the test moves each transfer along by hand, so every event is awaited, never raced.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestClient, TestServer

from player.app import create_app
from player.engine.fake import FakeEngine
from player.web.keys import SERVICES
from tests.fakes.slskd import API_KEY, FakeSlskd, Peer
from tests.player.conftest import service_config
from tests.tones import write_silence

Client = TestClient[Any, Any]
AiohttpClient = Callable[[web.Application], Awaitable[Client]]

FOLDER = "@@music\\Shares\\Test Artist\\Slow Tones"
REMOTE = f"{FOLDER}\\01 - First Tone.wav"
FRAMES = 600_000  # 2.4 MB: room for a started and a later progress event (1 MiB apart)
WAIT = 10.0


def peer_file(tmp_path: Path) -> bytes:
    return write_silence(tmp_path / "peer.wav", FRAMES).read_bytes()


@pytest.fixture
def slskd_dir(tmp_path: Path) -> Path:
    path = tmp_path / "slskd-downloads"
    path.mkdir()
    return path


@pytest.fixture
def fake(tmp_path: Path, slskd_dir: Path) -> FakeSlskd:
    fake = FakeSlskd(downloads_dir=slskd_dir)
    fake.add_peer(Peer("tone peer", {REMOTE: peer_file(tmp_path)}))
    fake.add_peer(Peer("slow peer", {REMOTE: b"x" * 1000}, has_free_upload_slot=False,
                       queue_length=40, upload_speed=1000))  # fmt: skip
    return fake


@pytest.fixture
async def fake_server(fake: FakeSlskd) -> AsyncIterator[TestServer]:
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()


@pytest.fixture
def slskd_options() -> dict[str, Any]:
    """More `[slskd]` keys; a test module overrides this fixture to change them."""
    return {}


@pytest.fixture
async def client(
    fake_server: TestServer,
    aiohttp_client: AiohttpClient,
    tmp_path: Path,
    slskd_dir: Path,
    slskd_options: dict[str, Any],
) -> Client:
    # fake_server first: set up first, torn down last, so the service stops before slskd goes.
    key_file = tmp_path / "slskd.key"
    key_file.write_text(API_KEY + "\n")
    slskd = {
        "url": str(fake_server.make_url("/")), "api_key_file": str(key_file),
        "downloads_dir": str(slskd_dir), "poll_active": 0.02, "poll_idle": 0.05,
    } | slskd_options  # fmt: skip
    config = service_config(tmp_path, library={"demo": False}, slskd=slskd)
    app = create_app(config, engine=FakeEngine(speed=1.0, default_duration=20.0))
    test_client = await aiohttp_client(app)
    await asyncio.wait_for(app[SERVICES].media.scanned.wait(), WAIT)
    return test_client


class Events:
    """Every message of one /api/v1/events connection, read by a task of its own."""

    def __init__(self, ws: Any) -> None:
        self.messages: list[dict[str, Any]] = []
        self._arrived = asyncio.Event()
        self._reader = asyncio.create_task(self._read(ws), name="test-slskd-events")

    async def _read(self, ws: Any) -> None:
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                self.messages.append(json.loads(msg.data))
                self._arrived.set()

    def downloads(self, event: str) -> list[dict[str, Any]]:
        return [
            m["download"] for m in self.messages if m["type"] == "download" and m["event"] == event
        ]

    async def wait_for(self, event: str) -> dict[str, Any]:
        async with asyncio.timeout(WAIT):
            while not self.downloads(event):
                self._arrived.clear()
                await self._arrived.wait()
        return self.downloads(event)[-1]

    async def close(self) -> None:
        self._reader.cancel()
        await asyncio.gather(self._reader, return_exceptions=True)


async def until(check: Callable[[], Awaitable[Any]]) -> Any:
    """Poll `check` until it returns something truthy (bounded by WAIT)."""
    for _ in range(int(WAIT / 0.02)):
        if result := await check():
            return result
        await asyncio.sleep(0.02)
    raise AssertionError("condition never became true")


async def search(client: Client, query: str) -> dict[str, Any]:
    started = await client.post("/api/v1/slskd/searches", json={"query": query})
    assert started.status == 202
    body = await started.json()
    assert set(body) == {"id", "state"}

    async def complete() -> dict[str, Any] | None:
        result: dict[str, Any] = await (
            await client.get(f"/api/v1/slskd/searches/{body['id']}")
        ).json()
        return result if result["complete"] else None

    return await until(complete)  # type: ignore[no-any-return]


async def enqueue(client: Client, candidate: dict[str, Any]) -> dict[str, Any]:
    files = [{"filename": f["filename"], "size": f["size"]} for f in candidate["files"]]
    response = await client.post(
        "/api/v1/slskd/downloads", json={"username": candidate["username"], "files": files}
    )
    assert response.status == 201, await response.text()
    downloads: list[dict[str, Any]] = (await response.json())["downloads"]
    assert len(downloads) == 1
    return downloads[0]


async def test_search_enqueue_progress_land_and_play(
    client: Client, fake: FakeSlskd, tmp_path: Path
) -> None:
    events = Events(await client.ws_connect("/api/v1/events"))
    try:
        result = await search(client, "slow tones")
        candidates = result["candidates"]
        assert [c["username"] for c in candidates] == ["tone peer", "slow peer"]  # best first
        best = candidates[0]
        assert best["directory"] == FOLDER and best["score"] > candidates[1]["score"]
        assert best["files"][0] == {"filename": REMOTE, "size": FRAMES * 4 + 44, "length": 200}

        download = await enqueue(client, best)
        assert (download["source"], download["status"]) == ("slskd", "pending")
        assert (await events.wait_for("queued"))["id"] == download["id"]
        listed = await (await client.get("/api/v1/downloads")).json()
        assert [d["source"] for d in listed["downloads"]] == ["slskd"]

        tid = fake.by_name(REMOTE).id
        fake.progress(tid, 1_100_000, speed=400_000.0)
        started = await events.wait_for("started")
        assert started["status"] == "downloading" and 0 < started["progress"] < 1
        assert started["speed"] == 400_000.0 and started["eta"] > 0
        fake.progress(tid, 2_250_000, speed=400_000.0)
        progress = await events.wait_for("progress")
        assert progress["bytes_downloaded"] == 2_250_000
        fake.complete(tid)
        completed = await events.wait_for("completed")
        assert completed["status"] == "completed" and completed["progress"] == 1.0
    finally:
        await events.close()

    track = await (await client.get(f"/api/v1/library/tracks/{download['item_id']}")).json()
    assert (track["source"], track["title"], track["album"]) == (
        "slskd",
        "First Tone",
        "Slow Tones",
    )
    assert track["available_offline"] is True
    queued = await client.post(
        "/api/v1/queue", json={"item_ids": [download["item_id"]], "mode": "replace", "play": True}
    )
    assert queued.status == 200
    player = await (await client.get("/api/v1/player")).json()
    assert player["item"]["id"] == download["item_id"]
    assert player["playing_from"] == "local"


async def _error(client: Client, method: str, path: str, body: Any = None) -> tuple[int, str, str]:
    response = await client.request(method, path, json=body)
    error = (await response.json())["error"]
    return response.status, error["code"], error["message"]


async def test_slskd_failing_is_upstream_unavailable(
    client: Client, fake: FakeSlskd, fake_server: TestServer
) -> None:
    fake.fail_status = 500
    status, code, message = await _error(client, "POST", "/api/v1/slskd/searches", {"query": "a"})
    assert (status, code) == (503, "upstream_unavailable") and "slskd" in message
    fake.fail_status = 401
    status, code, message = await _error(client, "GET", "/api/v1/slskd/searches/x")
    assert (status, code) == (502, "upstream_unavailable") and "API key" in message
    files = [{"filename": REMOTE, "size": 1000}]
    body = {"username": "slow peer", "files": files}
    status, code, _ = await _error(client, "POST", "/api/v1/slskd/downloads", body)
    assert (status, code) == (502, "upstream_unavailable")
    fake.fail_status = None
    await fake_server.close()  # slskd down: nothing listens on its port any more
    status, code, message = await _error(client, "POST", "/api/v1/slskd/searches", {"query": "a"})
    assert (status, code) == (503, "upstream_unavailable") and "unreachable" in message
    assert (await client.get("/api/v1/health")).status == 200
    assert not client.app[SERVICES].supervisor.failed.is_set()


async def test_tracking_resumes_when_slskd_returns(client: Client, fake: FakeSlskd) -> None:
    download = await enqueue(client, (await search(client, "slow tones"))["candidates"][1])
    tracker = client.app[SERVICES].media.slskd.tracker
    tid = fake.by_name(REMOTE).id
    for failure in (500, 401):
        fake.fail_status = failure
        await until(lambda: _is(not tracker.healthy))
        fake.progress(tid, 500)  # happens at slskd while we cannot see it
        fake.fail_status = None
        await until(lambda: _is(tracker.healthy))
    fake.complete(tid, b"x" * 1000)

    async def completed() -> bool:
        row = await (await client.get(f"/api/v1/downloads/{download['id']}")).json()
        return bool(row["status"] == "completed")

    await until(completed)
    row = await (await client.get(f"/api/v1/downloads/{download['id']}")).json()
    assert row["retry_count"] == 0 and row["error_message"] is None  # outages are not failures
    assert not client.app[SERVICES].supervisor.failed.is_set()


async def test_a_soulseek_download_is_cancelled_at_slskd_and_never_paused(
    client: Client, fake: FakeSlskd
) -> None:
    download = await enqueue(client, (await search(client, "slow tones"))["candidates"][1])
    base = f"/api/v1/downloads/{download['id']}"
    resp = await client.post(f"{base}/pause")
    assert resp.status == 409 and (await resp.json())["error"]["code"] == "conflict"
    resp = await client.post(f"{base}/cancel")
    assert resp.status == 200 and (await resp.json())["status"] == "cancelled"
    assert fake.by_name(REMOTE).state.startswith("Completed, Cancelled")


async def _is(value: bool) -> bool:
    return value


async def test_bad_bodies_are_422(client: Client) -> None:
    bad = [
        {"query": "  "},
        {"query": "a", "extra": 1},
    ]
    for body in bad:
        assert (await client.post("/api/v1/slskd/searches", json=body)).status == 422
    bad_downloads: list[dict[str, Any]] = [
        {"username": "u", "files": []},
        {"username": "u", "files": [{"filename": "a"}]},
        {"username": "u", "files": [{"filename": "a", "size": -1}]},
        {"username": "u", "files": [{"filename": "a", "size": 1, "path": "/etc"}]},
        {"username": "", "files": [{"filename": "a", "size": 1}]},
    ]
    for body in bad_downloads:
        assert (await client.post("/api/v1/slskd/downloads", json=body)).status == 422


async def test_without_slskd_every_route_is_503(
    aiohttp_client: AiohttpClient, tmp_path: Path
) -> None:
    config = service_config(tmp_path, library={"demo": False})
    app = create_app(config, engine=FakeEngine())
    client = await aiohttp_client(app)
    calls = [
        ("POST", "/api/v1/slskd/searches", {"query": "x"}),
        ("GET", "/api/v1/slskd/searches/abc", None),
        (
            "POST",
            "/api/v1/slskd/downloads",
            {"username": "u", "files": [{"filename": "a", "size": 1}]},
        ),
    ]
    for method, path, body in calls:
        status, code, message = await _error(client, method, path, body)
        assert (status, code) == (503, "upstream_unavailable") and "slskd" in message
