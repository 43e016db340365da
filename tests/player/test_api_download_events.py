"""Issue 3, acceptance 3: the download commands over the API, and their events on the WebSocket.

An in-process service (fake engine, real SQLite) downloads from the fake Jellyfin over real HTTP.
One download runs at a time, and stall faults aimed at single items hold a download mid-transfer
(1.5 MiB of 3 on disk) for exactly as long as the test needs it there, so every command meets the
state it is meant for without racing the transfer. The album's tracks come back from the fake in
a scrambled order across two discs; the service must queue them in disc/track order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestClient

from cache.downloads.paths import absolute, part_path, relative_media_path
from player.app import create_app
from player.config import parse_config
from player.engine.fake import FakeEngine
from tests.fakes.jellyfin import FakeJellyfin, FakeTrack, Fault, FaultKind
from tests.polling import until

Client = TestClient[Any, Any]
AiohttpClient = Callable[[web.Application], Awaitable[Client]]

MIB = 1024 * 1024
SIZE = 3 * MIB
STALL_AT = 3 * MIB // 2  # past the first 1 MiB progress mark, short of the end
USER, PASSWORD = "kitchen", "secret"
# (disc, track) in the order the fake lists them: neither disc nor track order.
SCRAMBLED = [(2, 2), (1, 3), (2, 1), (1, 1), (1, 2)]
WAIT = 15.0
STEP = 0.02
TRIES = int(WAIT / STEP)


class EventLog:
    """Every message of one /api/v1/events connection, read by a task of its own."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.messages: list[dict[str, Any]] = []
        self._arrived = asyncio.Event()
        self._reader = asyncio.create_task(self._read(), name="test-events-reader")

    async def _read(self) -> None:
        async for msg in self.ws:
            if msg.type == WSMsgType.TEXT:
                self.messages.append(json.loads(msg.data))
                self._arrived.set()

    def kinds(self, download_id: int) -> list[str]:
        """The download events of one download, in order, runs of progress folded into one."""
        kinds: list[str] = []
        for m in self.messages:
            mine = m["type"] == "download" and m["download"]["id"] == download_id
            if mine and not (m["event"] == "progress" and kinds[-1:] == ["progress"]):
                kinds.append(m["event"])
        return kinds

    def ids_of(self, event: str) -> list[int]:
        """The downloads that had `event`, in the order the events came."""
        return [
            m["download"]["id"]
            for m in self.messages
            if m["type"] == "download" and m["event"] == event
        ]

    async def wait_for(self, download_id: int, event: str, count: int = 1) -> None:
        """Until `download_id` has had `event` `count` times (bounded)."""

        def seen() -> int:
            return sum(
                1
                for m in self.messages
                if m["type"] == "download"
                and m["event"] == event
                and m["download"]["id"] == download_id
            )

        async with asyncio.timeout(WAIT):
            while seen() < count:
                self._arrived.clear()
                await self._arrived.wait()

    async def wait_snapshot(self) -> None:
        """The first message is the snapshot (api.md), before any change."""
        async with asyncio.timeout(WAIT):
            while not self.messages:
                self._arrived.clear()
                await self._arrived.wait()
        assert self.messages[0]["type"] == "snapshot"

    async def close(self) -> None:
        await self.ws.close()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader


@pytest.fixture
async def fake() -> AsyncIterator[FakeJellyfin]:
    jellyfin = FakeJellyfin()
    jellyfin.add_user(USER, PASSWORD)
    jellyfin.ignore_sort = True
    album, _ = jellyfin.add_album("Two Discs", [], artists=("The Sides",))
    for disc, number in SCRAMBLED:
        jellyfin.add_track(
            f"Disc {disc} Song {number}", album.id, SIZE, index=number, disc=disc,
            artists=("The Sides",),
        )  # fmt: skip
    jellyfin.add_album("Singles", [SIZE], artists=("Solo",))
    await jellyfin.start()
    try:
        yield jellyfin
    finally:
        await jellyfin.close()


@pytest.fixture
async def client(
    aiohttp_client: AiohttpClient, tmp_path: Path, fake: FakeJellyfin
) -> AsyncIterator[Client]:
    data = {
        "paths": {"state_dir": str(tmp_path / "state"), "cache_dir": str(tmp_path / "cache")},
        "library": {"music_dir": str(tmp_path / "music"), "demo": False},
        "audio": {"output": "null"},
        "zeroconf": {"enabled": False},
        "mpd": {"enabled": False},
        "jellyfin": {"url": fake.url, "username": USER, "password": PASSWORD},
        "cache": {"wifi_only": False},
        "downloads": {"concurrency": 1, "stall_timeout": 60.0, "retry_delays": [0.1]},
    }
    config = parse_config(data, {"HOME": str(tmp_path)})
    engine = FakeEngine(speed=1.0, default_duration=20.0)
    test_client = await aiohttp_client(create_app(config, engine=engine))

    async def synced() -> bool:  # the first catalogue sync runs after start-up
        return bool((await api(test_client, "GET", "/library/albums"))["total"] == 2)

    await until(synced, tries=TRIES, step=STEP, what="the Jellyfin catalogue synced")
    yield test_client
    await (
        test_client.close()
    )  # the app's cleanup stops the download manager (the leak guard checks)


async def api(client: Client, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    """One call that must answer `status`; returns the JSON body (None for 204)."""
    resp = await client.request(method, "/api/v1" + path, json=body)
    text = await resp.text()
    assert resp.status == status, f"{method} {path}: {resp.status} {text}"
    return json.loads(text) if text else None


def files(tmp_path: Path, track: FakeTrack) -> tuple[Path, Path]:
    """(final, part) paths of a track's download."""
    rel = relative_media_path("jellyfin", track.id, track.container)
    final = absolute(tmp_path / "cache", rel)
    return final, part_path(final)


def stall(fake: FakeJellyfin, track: FakeTrack) -> None:
    fake.add_fault(Fault(FaultKind.STALL, after=STALL_AT, item_id=track.id))


async def held(tmp_path: Path, track: FakeTrack) -> None:
    """Until the stalled download has everything the fake sent on disk (the progress event
    comes at 1 MiB; the rest may still be on its way)."""
    part = files(tmp_path, track)[1]

    async def on_disk() -> bool:
        return part.exists() and part.stat().st_size == STALL_AT

    await until(on_disk, tries=TRIES, step=STEP, what=f"{STALL_AT} bytes in {part.name}")


async def test_album_commands_and_their_events(
    client: Client, fake: FakeJellyfin, tmp_path: Path
) -> None:
    album_id = next(a.id for a in fake.albums.values() if a.name == "Two Discs")
    in_order = sorted(
        (t for t in fake.tracks.values() if t.album_id == album_id),
        key=lambda t: (t.disc or 0, t.index or 0),
    )
    t1, t2, t3, t4, t5 = in_order
    for track in (t2, t3, t4):
        stall(fake, track)
    events = EventLog(await client.ws_connect("/api/v1/events"))
    try:
        await events.wait_snapshot()
        batch = await api(client, "POST", "/downloads/album", {"album_id": album_id}, status=201)
        rows = batch["downloads"]
        assert [r["item_id"] for r in rows] == [t.id for t in in_order]
        assert {(r["status"], r["origin"], r["source"]) for r in rows} <= {
            ("pending", "user", "jellyfin"), ("downloading", "user", "jellyfin"),
        }  # fmt: skip
        d1, d2, d3, d4, d5 = (r["id"] for r in rows)

        # D1 runs through; D2 is held mid-transfer and paused: the part file stays.
        await events.wait_for(d1, "completed")
        await events.wait_for(d2, "progress")
        await held(tmp_path, t2)
        paused = await api(client, "POST", f"/downloads/{d2}/pause")
        assert paused["status"] == "paused"
        assert files(tmp_path, t2)[1].stat().st_size == STALL_AT

        # D3 starts next and is cancelled mid-transfer: its partial file goes.
        await events.wait_for(d3, "progress")
        cancelled = await api(client, "POST", f"/downloads/{d3}/cancel")
        assert cancelled["status"] == "cancelled" and cancelled["bytes_downloaded"] == 0
        assert not any(p.exists() for p in files(tmp_path, t3))

        # D4 held mid-transfer, D5 queued: pause-all stops both; D2 was paused already.
        await events.wait_for(d4, "progress")
        await held(tmp_path, t4)
        assert (await api(client, "POST", "/downloads/pause-all")) == {"affected": 2}
        listed = await api(client, "GET", "/downloads?status=paused")
        assert sorted(r["id"] for r in listed["downloads"]) == [d2, d4, d5]
        busy = await api(client, "GET", "/downloads?status=pending,downloading")
        assert busy["downloads"] == [] and busy["active_count"] == busy["queued_count"] == 0
        assert (await api(client, "POST", "/downloads/resume-all")) == {"affected": 3}
        for download_id in (d2, d4, d5):
            await events.wait_for(download_id, "completed")
        assert events.ids_of("started")[-3:] == [d2, d4, d5]  # queue order after resume-all

        # Delete a completed download: 204, its file and row are gone.
        assert await api(client, "DELETE", f"/downloads/{d1}", status=204) is None
        assert not files(tmp_path, t1)[0].exists()
        await api(client, "GET", f"/downloads/{d1}", status=404)
        await events.wait_for(d1, "deleted")

        await check_failure_then_resume(client, fake, events)
        await check_clear_completed(client, tmp_path, (t2, t4, t5))

        check_sequences(events, [d1, d2, d3, d4, d5])
    finally:
        await events.close()

    # The paused downloads came back with a Range request from their part files.
    for track in (t2, t4):
        ranges = [r.range for r in fake.downloads if r.item_id == track.id]
        assert ranges == [None, f"bytes={STALL_AT}-"], ranges
        assert files(tmp_path, track)[0].read_bytes() == track.data()


def check_sequences(events: EventLog, ids: list[int]) -> None:
    """Each download's events, in order (runs of progress folded), and the queue order."""
    d1, d2, d3, d4, d5 = ids
    assert events.ids_of("queued")[:5] == ids
    held_then_resumed = ["queued", "started", "progress", "paused", "resumed", "started"]
    assert events.kinds(d1) == ["queued", "started", "progress", "completed", "deleted"]
    assert events.kinds(d2) == [*held_then_resumed, "progress", "completed"]
    assert events.kinds(d3) == ["queued", "started", "progress", "cancelled"]
    assert events.kinds(d4) == [*held_then_resumed, "progress", "completed"]
    assert events.kinds(d5) == ["queued", "paused", "resumed", "started", "progress", "completed"]


async def check_failure_then_resume(client: Client, fake: FakeJellyfin, events: EventLog) -> None:
    """A 404 fails the download at once; resume gives it a fresh start that completes."""
    single = next(t for t in fake.tracks.values() if t.name == "Song 1")
    fake.add_fault(Fault(FaultKind.STATUS, status=404, item_id=single.id))
    row = await api(client, "POST", "/downloads", {"item_id": single.id}, status=201)
    await events.wait_for(row["id"], "failed")
    failed = await api(client, "GET", f"/downloads/{row['id']}")
    assert failed["status"] == "failed" and "404" in failed["error_message"]
    again = await api(client, "POST", "/downloads", {"item_id": single.id})  # existing: 200
    assert again["id"] == row["id"]
    resumed = await api(client, "POST", f"/downloads/{row['id']}/resume")
    assert resumed["status"] in ("pending", "downloading") and resumed["retry_count"] == 0
    await events.wait_for(row["id"], "completed")
    assert events.kinds(row["id"]) == [
        "queued", "started", "failed", "resumed", "started", "progress", "completed",
    ]  # fmt: skip


async def check_clear_completed(
    client: Client, tmp_path: Path, kept: tuple[FakeTrack, ...]
) -> None:
    """clear-completed empties the completed list; the files stay, still available offline."""
    assert (await api(client, "POST", "/downloads/clear-completed")) == {"affected": 4}
    done = await api(client, "GET", "/downloads?status=completed")
    assert done["downloads"] == []
    for track in kept:
        assert files(tmp_path, track)[0].stat().st_size == SIZE
        offline = await api(client, "GET", f"/offline/items/{track.id}")
        assert offline["available"] is True
        assert offline["quality"] == "original"  # which copy is kept (issue 20)
    assert (await api(client, "GET", "/offline/items"))["total"] == 4
