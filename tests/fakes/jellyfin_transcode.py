"""The fake Jellyfin's transcoding: `/Audio/{id}/universal` without a direct-play `container` list
runs Debian's ffmpeg on the track's bytes and streams its output as it is written, as the real
server's `GetTranscodedFile` does: no Content-Length, `Accept-Ranges: none`, no Range.

Faults of a transcode: the connection reset after a fraction of the expected size (bitrate x
duration), or a clean end after only part of the audio (a copy whose decoded duration is short).
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from tests.fakes.jellyfin import DownloadRecord, FakeJellyfin, FakeTrack, _drop_connection

READ = 16 * 1024  # ffmpeg's output is passed on in pieces this big, as it comes
# codec -> (ffmpeg encoder, ffmpeg muxer, Content-Type); the containers Jellyfin writes front to back
ENCODERS = {
    "opus": ("libopus", "ogg", "audio/ogg"),
    "mp3": ("libmp3lame", "mp3", "audio/mpeg"),
    "aac": ("aac", "adts", "audio/aac"),
}


@dataclass
class TranscodeFault:
    cut_at: float | None = None  # reset the connection after this fraction of the expected size
    audio_fraction: float | None = None  # end cleanly after this fraction of the audio
    times: int = 1
    item_id: str | None = None
    refuse: bool = False  # answer 200 with an error document, as a server with no transcoder does


@dataclass
class TranscodeRecord:
    """One transcode request: what was asked and what went out."""

    item_id: str
    codec: str
    bitrate: int
    fault: TranscodeFault | None
    bytes_sent: int = 0
    complete: bool = False


@dataclass
class _Job:
    track: FakeTrack
    codec: str
    bitrate: int
    fault: TranscodeFault | None
    record: TranscodeRecord = field(init=False)

    def __post_init__(self) -> None:
        self.record = TranscodeRecord(self.track.id, self.codec, self.bitrate, self.fault)


class TranscodingJellyfin(FakeJellyfin):
    """FakeJellyfin whose universal endpoint transcodes for real when no container is offered."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.transcodes: list[TranscodeRecord] = []
        self.transcode_faults: list[TranscodeFault] = []
        self._dir = tempfile.TemporaryDirectory(prefix="fake-jellyfin-")

    async def close(self) -> None:
        await super().close()
        self._dir.cleanup()

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        query = {k.lower(): v for k, v in request.query.items()}
        if query.get("container") or not request.path.endswith("/universal"):
            return await super()._stream(request)  # a direct-play list: the static file
        self._user(request)  # 401 without a valid token
        track = self.tracks.get(request.match_info["id"])
        if track is None or track.payload is None:
            return web.Response(status=404)
        codec = query.get("audiocodec", "mp3")
        if codec not in ENCODERS:
            return web.Response(status=400, text=f"cannot transcode to {codec}")
        bitrate = int(query.get("audiobitrate", "128000"))
        job = _Job(track, codec, bitrate, self._take_transcode_fault(track.id))
        self.transcodes.append(job.record)
        if job.fault is not None and job.fault.refuse:
            return web.json_response({"error": "no transcoder is configured"})
        self.downloads.append(DownloadRecord(track.id, None, None, None, 200))
        return await self._send_transcode(request, job)

    def _take_transcode_fault(self, item_id: str) -> TranscodeFault | None:
        for fault in self.transcode_faults:
            if fault.times > 0 and fault.item_id in (None, item_id):
                fault.times -= 1
                return fault
        return None

    def _source_file(self, track: FakeTrack) -> Path:
        path = Path(self._dir.name) / f"{track.id}-{track.seed}.{track.container}"
        if not path.exists():
            path.write_bytes(track.payload or b"")
        return path

    async def _send_transcode(self, request: web.Request, job: _Job) -> web.StreamResponse:
        encoder, muxer, mime = ENCODERS[job.codec]
        args = ["-hide_banner", "-v", "error", "-i", str(self._source_file(job.track)), "-vn"]
        if job.fault is not None and job.fault.audio_fraction is not None:
            args += ["-t", f"{job.track.runtime_seconds * job.fault.audio_fraction:.3f}"]
        args += ["-c:a", encoder, "-b:a", str(job.bitrate), "-f", muxer, "pipe:1"]
        proc = await asyncio.create_subprocess_exec(
            "ffmpeg", *args, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        resp = web.StreamResponse(status=200)
        resp.headers.update({"Content-Type": mime, "Accept-Ranges": "none"})
        resp.enable_chunked_encoding()  # no Content-Length: the size is not known yet
        await resp.prepare(request)
        try:
            cut = await self._pipe(proc, resp, job)
        except ConnectionResetError:
            return resp  # the client went away (it gave up, or was cancelled)
        finally:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
        if cut:
            _drop_connection(request, reset=True)
            return resp
        await resp.write_eof()
        job.record.complete = True
        return resp

    async def _pipe(
        self, proc: asyncio.subprocess.Process, resp: web.StreamResponse, job: _Job
    ) -> bool:
        """Pass ffmpeg's output on as it comes; True when the fault cut it."""
        assert proc.stdout is not None
        limit = None
        if job.fault is not None and job.fault.cut_at is not None:
            limit = int(job.bitrate / 8 * job.track.runtime_seconds * job.fault.cut_at)
        with self.transfers.counted():
            while chunk := await proc.stdout.read(READ):
                if limit is not None and job.record.bytes_sent + len(chunk) >= limit:
                    await resp.write(chunk[: max(0, limit - job.record.bytes_sent)])
                    job.record.bytes_sent = limit
                    return True
                await resp.write(chunk)
                job.record.bytes_sent += len(chunk)
                if self.rate:
                    await asyncio.sleep(len(chunk) / self.rate)
        return False
