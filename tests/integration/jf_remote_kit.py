"""Shared parts of the remote-control tests: a fake server with playable albums, the deck, an app,
and a tap on the deck's events WebSocket."""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass
from typing import Any

import aiohttp

from tests.fakes.jellyfin import FakeJellyfin, FakeTrack
from tests.fakes.jellyfin_app import JellyfinApp
from tests.fakes.jellyfin_sessions import FakeSession
from tests.integration.jellyfin_thread import FakeJellyfinThread
from tests.integration.service import ServiceProcess
from tests.polling import until_sync

USER, PASSWORD = "kitchen", "secret"
DECK_NAME = "Test Deck"  # ServiceProcess's server.name: the session's device name


def add_playable_album(
    fake: FakeJellyfin,
    name: str,
    payloads: list[bytes],
    seconds: list[float],
    container: str = "wav",
) -> list[FakeTrack]:
    """An album whose tracks are real audio files mpv can play."""
    album, _ = fake.add_album(name, [])
    tracks = []
    for number, (payload, length) in enumerate(zip(payloads, seconds, strict=True), start=1):
        track = fake.add_track(
            f"{name} {number}", album.id, 0, index=number, container=container, payload=payload
        )
        track.runtime_seconds = length
        tracks.append(track)
    return tracks


def download_album(deck: ServiceProcess, album_id: str, count: int) -> None:
    """Make the offline copy of an album and wait until every file is complete."""
    deck.api("POST", "/downloads/album", {"album_id": album_id})

    def done() -> bool:
        rows = deck.api("GET", "/downloads?status=completed")["downloads"]
        return sum(1 for d in rows if d["album_id"] == album_id) == count

    deck.wait_until(done, timeout=30)


@dataclass
class Cast:
    """An app logged in to the fake, and the deck's session as the app sees it."""

    server: FakeJellyfinThread
    app: JellyfinApp
    session_id: str

    @classmethod
    def find(cls, server: FakeJellyfinThread, timeout: float = 20.0) -> Cast:
        app = JellyfinApp(server.fake.url).login(USER, PASSWORD)
        target = app.wait_for_target(DECK_NAME, timeout)
        return cls(server, app, target["Id"])

    def fake_session(self) -> FakeSession:
        found = self.server.fake.hub.by_name(DECK_NAME)
        assert found is not None
        return found

    def reports(self) -> list[tuple[str, dict[str, Any]]]:
        return list(self.server.fake.reports)

    def send_raw(self, text: str) -> None:
        session = self.fake_session()
        self.server.run(lambda: self.server.fake.hub.send_raw(session, text))


def player(deck: ServiceProcess) -> dict[str, Any]:
    answer: dict[str, Any] = deck.api("GET", "/player")
    return answer


def wait_player(
    deck: ServiceProcess, check: Any, what: str, timeout: float = 10.0
) -> dict[str, Any]:
    """Poll GET /player until `check(player)` holds."""

    def passing() -> dict[str, Any] | None:
        now = player(deck)
        return now if check(now) else None

    return until_sync(passing, timeout=timeout, what=f"player never {what}")  # type: ignore[no-any-return]


def report_after(cast: Cast, seen: int, check: Any, what: str) -> dict[str, Any]:
    """The first report after the first `seen` whose body passes `check`."""

    def found() -> dict[str, Any] | None:
        return next((body for _p, body in cast.reports()[seen:] if check(body)), None)

    return until_sync(found, timeout=10.0, what=f"no report {what}")  # type: ignore[no-any-return]


class EventsTap:
    """The deck's /api/v1/events messages, collected by a thread of its own."""

    def __init__(self, base_url: str) -> None:
        self.messages: list[dict[str, Any]] = []
        self._url = base_url + "/api/v1/events"
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, name="events-tap", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the events socket did not open")

    def _main(self) -> None:
        self._loop.run_until_complete(self._read())
        self._loop.close()

    async def _read(self) -> None:
        self._stop = asyncio.Event()
        async with aiohttp.ClientSession() as http, http.ws_connect(self._url) as ws:
            self._ready.set()
            stopping = asyncio.ensure_future(self._stop.wait())
            while not stopping.done():
                receive = asyncio.ensure_future(ws.receive())
                await asyncio.wait({receive, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if not receive.done():
                    receive.cancel()
                    break
                msg = receive.result()
                if msg.type is not aiohttp.WSMsgType.TEXT:
                    break
                self.messages.append(json.loads(msg.data))

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in list(self.messages) if m.get("type") == kind]

    def close(self) -> None:
        stop = self._stop
        if stop is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(stop.set)
        self._thread.join(10)
