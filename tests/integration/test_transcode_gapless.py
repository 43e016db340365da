"""Issue 20 acceptance 1 on real libmpv: an album transcoded to Ogg/Opus by the fake Jellyfin (real
ffmpeg) and fetched by the download manager plays gaplessly: the PCM join test on lossy files.

A lossy copy cannot match the original sample for sample, so the test asks what gapless means for
it: the rendered audio is as long as the two tracks together (Opus's pre-skip and end trimming
honoured), and no window across the join falls silent."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cache.downloads import DownloadStatus
from cache.downloads.paths import absolute
from cache.quality import parse_setting
from tests.cache.downloads.conftest import env_over, wait_ended
from tests.cache.downloads.test_dl_transcode import PATIENT
from tests.fakes.jellyfin_transcode import TranscodingJellyfin
from tests.integration.conftest import Renderer, media
from tests.tones import RATE, Pcm, read_wav, rms
from tests.transcodes import add_flac_album, flac_parts

pytestmark = pytest.mark.mpv

FRAMES = [57_813, 70_021]
WINDOW = RATE // 100  # 10 ms
LENGTH_SLACK = 3 * RATE // 1000  # 3 ms: a missed pre-skip or padding alone is 6.5 ms or more


async def download_transcoded(tmp_path: Path) -> list[Path]:
    source = tmp_path / "source"
    source.mkdir()
    parts = flac_parts(source, FRAMES)
    async with env_over(tmp_path, TranscodingJellyfin()) as env:
        album, _ = add_flac_album(env.fake, parts)
        manager = env.manager(PATIENT)
        manager.set_transcode(lambda origin: parse_setting("opus:128"))
        await manager.start()
        paths = []
        for row in await manager.download_album(album.id):
            done = await wait_ended(manager, row.id)
            assert done.status is DownloadStatus.COMPLETED, done.error_message
            paths.append(absolute(env.cache_dir, done.file_path or ""))
        return paths


async def render_as_16_bit(r: Renderer) -> Pcm:
    """mpv renders Opus as it decodes it (32-bit float at 48 kHz); ffmpeg turns the samples into
    16-bit ones at the same rate (no resampling: lengths stay exact) for tests.tones."""
    await r.engine.shutdown()  # closing mpv's output finishes the WAV header
    out = r.out.with_name("rendered16.wav")
    args = ["ffmpeg", "-hide_banner", "-v", "error", "-i", str(r.out), "-c:a", "pcm_s16le"]
    proc = await asyncio.create_subprocess_exec(*args, str(out))
    assert await asyncio.wait_for(proc.wait(), 60) == 0
    return read_wav(out)


async def test_transcoded_tracks_join_without_a_gap(renderer: Renderer, tmp_path: Path) -> None:
    first, second = await download_transcoded(tmp_path)
    assert all(p.read_bytes()[:4] == b"OggS" for p in (first, second))
    a, b = media(first, FRAMES[0], RATE), media(second, FRAMES[1], RATE)
    await renderer.engine.play(a, None, paused=True)
    await renderer.started(a)
    await renderer.engine.set_next(b)
    await renderer.engine.set_paused(False)
    await renderer.finished(b)
    pcm = await render_as_16_bit(renderer)

    left = pcm.channel(0)
    loud = [i for i, x in enumerate(left) if abs(x) > 2000]
    start, end = loud[0], loud[-1] + 1
    heard, want = end - start, round(sum(FRAMES) * pcm.rate / RATE)
    print(f"rendered {heard} frames of {want} ({(heard - want) / pcm.rate * 1000:+.2f} ms)")
    assert abs(heard - want) <= LENGTH_SLACK * pcm.rate // RATE, "a gap or a cut at the join"
    level = rms(left[start:end])
    quiet = [
        pos
        for pos in range(start, end - WINDOW, WINDOW // 2)
        if rms(left[pos : pos + WINDOW]) < 0.5 * level
    ]
    assert not quiet, f"silence at frames {quiet[:5]} (the join is at {start + FRAMES[0]})"
