"""Fixtures for the slskd tests: the fake on 127.0.0.1, a client on it, a controlled clock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from pytest_aiohttp import AiohttpServer

from cache.slskd.client import ClientConfig, SlskdClient
from tests.fakes.slskd import API_KEY, FakeSlskd, Peer

ALBUM = "@@share\\Music\\Pantera\\Vulgar Display"
FILES = {
    f"{ALBUM}\\01 - Mouth for War.flac": b"A" * 3000,
    f"{ALBUM}\\02 - A New Level.flac": b"B" * 4000,
}


class ManualClock:
    """A clock that moves only when the test says; records every sleep asked of it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._waiters: list[tuple[float, asyncio.Future[None]]] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((self.now + seconds, future))
        await future

    async def advance(self, seconds: float) -> None:
        """Move time on, wake the sleepers that are due, and let the loop run."""
        self.now += seconds
        for due, future in list(self._waiters):
            if due <= self.now + 1e-9:
                self._waiters.remove((due, future))
                if not future.done():
                    future.set_result(None)
        await settle()


async def settle(rounds: int = 20) -> None:
    """Let ready callbacks run (bounded)."""
    for _ in range(rounds):
        await asyncio.sleep(0)


@pytest.fixture
def downloads_dir(tmp_path: Path) -> Path:
    path = tmp_path / "slskd-downloads"
    path.mkdir()
    return path


@pytest.fixture
def fake(downloads_dir: Path) -> FakeSlskd:
    fake = FakeSlskd(downloads_dir=downloads_dir)
    fake.add_peer(Peer("peer one", dict(FILES)))
    return fake


MakeClient = Callable[..., Awaitable[SlskdClient]]


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


@pytest.fixture
def make_client(
    aiohttp_server: AiohttpServer, session: aiohttp.ClientSession, fake: FakeSlskd
) -> MakeClient:
    async def make(**overrides: object) -> SlskdClient:
        server = await aiohttp_server(fake.app())
        fields: dict[str, object] = {
            "url": str(server.make_url("/")),
            "api_key": API_KEY,
            "busy_delay": 0.001,
        }
        fields |= overrides
        return SlskdClient(session, ClientConfig(**fields))  # type: ignore[arg-type]

    return make


@pytest.fixture
async def client(make_client: MakeClient) -> SlskdClient:
    return await make_client()
