"""Fixtures for the MPD protocol tests: one music folder, tapedeck serving MPD, and real MPD."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from mpd import MPDClient

from player.app import create_app
from player.engine.fake import FakeEngine
from player.mpd.database import CHECK_EVERY as DATABASE_RECHECK
from player.web.keys import SERVICES
from tests.integration.service import ServiceProcess, free_port
from tests.mpd.music import SONGS, make_music
from tests.player.conftest import AiohttpClient, service_config
from tests.polling import wait_port

MPD_BIN = shutil.which("mpd") or "/usr/bin/mpd"
needs_mpd = pytest.mark.skipif(not Path(MPD_BIN).exists(), reason="Debian's mpd is the reference")


@pytest.fixture(scope="session")
def music(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_music(tmp_path_factory.mktemp("mpd-music"))


def connect(port: int) -> MPDClient:
    client = MPDClient()
    client.timeout = 10
    client.connect("127.0.0.1", port)
    return client


def tapedeck_service(root: Path, music: Path, **mpd: object) -> ServiceProcess:
    port = free_port()
    return ServiceProcess(
        root,
        music_dir=music,
        extra={
            "library": {"demo": False},
            "mpd": {"enabled": True, "host": "127.0.0.1", "port": port, **mpd},
        },
    )


def mpd_port(service: ServiceProcess) -> int:
    return int(service.extra["mpd"]["port"])


def wait_scanned(port: int, *, settled: bool = False, password: str | None = None) -> None:
    """Until the first scan's songs are all in the MPD database; `settled`: and until the
    database was read again after that (a scan's last write seen only by a test's first command
    would wake that test's idle with a "database" change it did not make)."""
    client = connect(port)
    try:
        if password is not None:
            client.password(password)
        deadline = time.monotonic() + 20
        while int(client.stats()["songs"]) < len(SONGS) and time.monotonic() < deadline:
            time.sleep(0.1)
        if settled:
            time.sleep(DATABASE_RECHECK + 0.5)
            client.stats()  # a fresh read: any late change is announced now, to no test
    finally:
        client.disconnect()


def start_scanned(service: ServiceProcess) -> None:
    """Start the service and wait until its MPD port serves the whole first scan (logged in with
    the service's own [mpd] password, where it has one): an `add ""` of a library still being
    scanned is "No such song"."""
    service.start()
    port = mpd_port(service)
    wait_port(port)
    wait_scanned(port, password=service.extra["mpd"].get("password"))


@pytest.fixture
def tapedeck(tmp_path: Path, music: Path) -> Iterator[ServiceProcess]:
    service = tapedeck_service(tmp_path / "deck", music)
    start_scanned(service)
    yield service
    service.stop()


class RealMpd:
    """Debian's mpd on its own config, port and database, with a null output."""

    def __init__(self, root: Path, music: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.conf = root / "mpd.conf"
        self.conf.write_text(
            f'music_directory "{music}"\n'
            f'db_file "{root / "db"}"\n'
            f'state_file "{root / "state"}"\n'
            f'playlist_directory "{root / "playlists"}"\n'
            f'log_file "{root / "log"}"\n'
            'bind_to_address "127.0.0.1"\n'
            f'port "{self.port}"\n'
            'audio_output {\n  type "null"\n  name "null"\n  mixer_type "software"\n}\n',
            encoding="utf-8",
        )
        (root / "playlists").mkdir(exist_ok=True)
        self.process = subprocess.Popen(
            [MPD_BIN, "--no-daemon", str(self.conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_port(self.port)
        self._update()

    def _update(self) -> None:
        client = connect(self.port)
        try:
            client.update()
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and (
                "updating_db" in client.status() or int(client.stats()["songs"]) < len(SONGS)
            ):
                time.sleep(0.05)
        finally:
            client.disconnect()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture
def real_mpd(tmp_path: Path, music: Path) -> Iterator[RealMpd]:
    server = RealMpd(tmp_path / "real-mpd", music)
    yield server
    server.stop()


class RawClient:
    """A bare socket speaking MPD lines, for idle, bad input and timing tests."""

    def __init__(self, port: int, timeout: float = 10.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.file = self.sock.makefile("rb")
        self.greeting = self.file.readline().decode()

    def send(self, data: bytes | str) -> None:
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def answer(self) -> list[str]:
        """Lines up to and including the final OK or ACK (empty list: the server hung up)."""
        lines: list[str] = []
        while True:
            raw = self.file.readline()
            if not raw:
                return lines
            line = raw.decode(errors="replace").rstrip("\n")
            lines.append(line)
            if line == "OK" or line.startswith("ACK "):
                return lines

    def command(self, line: str) -> list[str]:
        self.send(line + "\n")
        return self.answer()

    def closed(self) -> bool:
        """True when the server has closed the connection (reads end)."""
        try:
            return self.file.read(1) == b""
        except ConnectionError:
            return True

    def close(self) -> None:
        self.file.close()
        self.sock.close()


class Line:
    """A bare MPD connection on asyncio streams."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Line:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await reader.readline()
        return cls(reader, writer)

    async def send(self, line: str) -> None:
        self.writer.write(line.encode() + b"\n")
        await self.writer.drain()

    async def answer(self) -> list[str]:
        lines: list[str] = []
        while True:
            line = (await self.reader.readline()).decode().rstrip("\n")
            lines.append(line)
            if line == "OK" or line.startswith("ACK") or not line:
                return lines

    async def command(self, line: str) -> list[str]:
        await self.send(line)
        return await self.answer()

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()


@pytest.fixture
async def deck(
    aiohttp_client: AiohttpClient, tmp_path: Path, music: Path
) -> AsyncIterator[tuple[TestClient[Any, Any], web.Application, int]]:
    mpd = {"enabled": True, "host": "127.0.0.1", "port": free_port()}
    config = service_config(tmp_path, library={"music_dir": str(music), "demo": False}, mpd=mpd)
    app = create_app(config, engine=FakeEngine(speed=1.0, default_duration=20.0))
    client = await aiohttp_client(app)
    await asyncio.wait_for(app[SERVICES].media.scanned.wait(), 30)
    server = app[SERVICES].mpd
    assert server is not None
    yield client, app, server.port
