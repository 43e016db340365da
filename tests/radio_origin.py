"""A local internet radio station for tests: an aiohttp server on 127.0.0.1 streaming an MP3 (made
with ffmpeg from tests/tones.py) with SHOUTcast/ICY metadata, and the .pls and .m3u that name it.

A client that sends `Icy-MetaData: 1` gets `icy-metaint: N` and, after every N bytes of audio,
one length byte (in 16-byte blocks) and that many bytes of `StreamTitle='...';`, NUL-padded.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

from aiohttp import web

from tests.tones import wav_bytes

METAINT = 8192
LOOPS = 200  # how often the MP3 repeats before the stream ends (bounded: a test never hangs)


def mp3_bytes(tmp: Path, seconds: float = 4.0) -> bytes:
    wav = tmp / "tone.wav"
    wav.write_bytes(wav_bytes(seconds, rate=16000))
    mp3 = tmp / "tone.mp3"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(wav), "-c:a", "libmp3lame",
         "-b:a", "64k", str(mp3)],
        check=True, timeout=60,
    )  # fmt: skip
    return mp3.read_bytes()


def dead_stream_url() -> str:
    """A station nobody serves: a port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    return f"http://127.0.0.1:{port}/stream"


def metadata_block(title: str) -> bytes:
    text = f"StreamTitle='{title}';".encode()
    blocks = -(-len(text) // 16)
    return bytes([blocks]) + text.ljust(blocks * 16, b"\0")


class RadioOrigin:
    """`/stream` (ICY when asked), `/station.pls` and `/station.m3u` naming it."""

    def __init__(self, audio: bytes, title: str = "The Low Tides - Salt Air") -> None:
        self.audio = audio
        self.title = title
        self.icy_requests = 0  # how many clients asked for metadata
        self.base = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/stream", self._stream)
        app.router.add_get("/station.pls", self._pls)
        app.router.add_get("/station.m3u", self._m3u)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)  # a listener may still read
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base = f"http://127.0.0.1:{port}"
        return self.base

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _pls(self, _: web.Request) -> web.Response:
        text = (
            f"[playlist]\nNumberOfEntries=1\nFile1={self.base}/stream\nTitle1=Test FM\n"
            "Length1=-1\nVersion=2\n"
        )
        return web.Response(text=text, content_type="audio/x-scpls")

    async def _m3u(self, _: web.Request) -> web.Response:
        text = f"#EXTM3U\n#EXTINF:-1,Test FM\n{self.base}/stream\n"
        return web.Response(text=text, content_type="audio/x-mpegurl")

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        icy = request.headers.get("Icy-MetaData") == "1"
        headers = {"Content-Type": "audio/mpeg", "icy-name": "Test FM"}
        if icy:
            self.icy_requests += 1
            headers["icy-metaint"] = str(METAINT)
        resp = web.StreamResponse(headers=headers)
        await resp.prepare(request)
        sent = 0  # audio bytes since the last metadata block
        try:
            for _ in range(LOOPS):
                for start in range(0, len(self.audio), 4096):
                    chunk = self.audio[start : start + 4096]
                    sent = await self._send(resp, chunk, sent, icy)
                    await asyncio.sleep(0.05)  # about 80 kB/s: faster than it plays, not a flood
        except ConnectionResetError:
            pass  # the player went away: the station goes on for nobody
        return resp

    async def _send(self, resp: web.StreamResponse, chunk: bytes, sent: int, icy: bool) -> int:
        if not icy:
            await resp.write(chunk)
            return 0
        while chunk:
            room = METAINT - sent
            part, chunk = chunk[:room], chunk[room:]
            await resp.write(part)
            sent += len(part)
            if sent == METAINT:
                await resp.write(metadata_block(self.title))
                sent = 0
        return sent


@contextlib.contextmanager
def serving_radio(audio: bytes) -> Iterator[RadioOrigin]:
    """A RadioOrigin on a loop of its own in a daemon thread (for tests without a loop: the
    browser's), for the length of a `with` block."""
    origin = RadioOrigin(audio)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="radio-origin", daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(origin.start(), loop).result(timeout=30)
    try:
        yield origin
    finally:
        asyncio.run_coroutine_threadsafe(origin.stop(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()
