"""Transcoded copies from the (really transcoding) fake Jellyfin: issue 20's acceptance 1-3."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from cache.downloads import DownloadStatus, Origin
from cache.downloads.paths import absolute, part_path
from cache.downloads.transcoded import decoded_duration
from cache.quality import parse_setting
from tests.cache.downloads.conftest import FAST, Env, RunningManager, env_over, wait_ended
from tests.fakes.jellyfin_transcode import TranscodeFault, TranscodingJellyfin
from tests.tones import RATE
from tests.transcodes import FlacParts, add_flac_album, flac_parts

FRAMES = [57_813, 70_021]  # the cut lies on no round number of ms


@pytest.fixture
async def tenv(tmp_path: Path) -> AsyncIterator[Env]:
    async with env_over(tmp_path, TranscodingJellyfin()) as made:
        yield made


@pytest.fixture
def parts(tmp_path: Path) -> FlacParts:
    source = tmp_path / "source"
    source.mkdir()
    return flac_parts(source, FRAMES)


# ffmpeg takes a moment before its first byte (more on two shared cores): not a stall
PATIENT = replace(FAST, read_timeout=10.0)


def transcoding(env: Env, setting: str) -> RunningManager:
    manager = env.manager(PATIENT)
    manager.set_transcode(lambda origin: parse_setting(setting))
    return manager


async def test_a_flac_album_becomes_ogg_opus_at_a_fifth_of_the_size(
    tenv: Env, parts: FlacParts
) -> None:
    album, tracks = add_flac_album(tenv.fake, parts)
    manager = transcoding(tenv, "opus:128")
    await manager.start()
    rows = await manager.download_album(album.id)
    assert [r.quality for r in rows] == ["opus:128", "opus:128"]
    assert all(r.file_size and r.file_size < t.size for r, t in zip(rows, tracks, strict=True))
    for row, track in zip(rows, tracks, strict=True):
        done = await wait_ended(manager, row.id)
        assert done.status is DownloadStatus.COMPLETED, done.error_message
        path = absolute(tenv.cache_dir, done.file_path or "")
        head = path.read_bytes()[:64]
        assert head.startswith(b"OggS") and b"OpusHead" in head, "not Ogg/Opus"
        assert path.suffix == ".opus" and done.mime_type == "audio/ogg"
        assert done.file_size == path.stat().st_size <= 0.2 * track.size
        assert abs((decoded_duration(path) or 0) - track.runtime_seconds) <= 0.05
        assert await manager.offline.kept_quality(track.id) == "opus:128"  # what is kept
    asked = tenv.fake.transcodes  # type: ignore[attr-defined]
    assert [(t.codec, t.bitrate) for t in asked] == [("opus", 128000)] * 2
    assert not tenv.fake.legacy_attempts, "the token must ride in the Authorization header"


async def test_a_transcode_cut_at_60_percent_starts_over_and_completes(
    tenv: Env, parts: FlacParts
) -> None:
    _album, (track, _) = add_flac_album(tenv.fake, parts)
    fake: TranscodingJellyfin = tenv.fake  # type: ignore[assignment]
    fake.transcode_faults.append(TranscodeFault(cut_at=0.6, item_id=track.id))
    manager = transcoding(tenv, "opus:128")
    await manager.start()
    row, _ = await manager.download_item(track.id)
    done = await wait_ended(manager, row.id)
    assert done.status is DownloadStatus.COMPLETED, done.error_message
    first, second = fake.transcodes
    assert not first.complete and second.complete
    # from zero: no Range on the second request, and the file is exactly the second answer
    assert all(d.range is None for d in fake.downloads)
    assert done.file_size == second.bytes_sent
    path = absolute(tenv.cache_dir, done.file_path or "")
    assert abs((decoded_duration(path) or 0) - track.runtime_seconds) <= 0.05


async def test_a_copy_decoding_short_is_never_marked_complete(tenv: Env, parts: FlacParts) -> None:
    _album, (_, track) = add_flac_album(tenv.fake, parts)
    fake: TranscodingJellyfin = tenv.fake  # type: ignore[assignment]
    # 0.16 s of the 1.59: more than the 1 s a complete copy may be off by
    fake.transcode_faults.append(TranscodeFault(audio_fraction=0.1, times=10))
    manager = transcoding(tenv, "opus:128")
    await manager.start()
    row, _ = await manager.download_item(track.id)
    done = await wait_ended(manager, row.id)
    assert done.status is DownloadStatus.FAILED
    assert "incomplete" in (done.error_message or "")
    assert "completed" not in tenv.kinds(row.id)
    final = absolute(tenv.cache_dir, done.file_path or "")
    assert not final.exists() and not part_path(final).exists()
    assert len(fake.transcodes) == 4 and all(t.complete for t in fake.transcodes)


async def test_a_server_that_cannot_transcode_gives_the_original(
    tenv: Env, parts: FlacParts
) -> None:
    _album, (track, _) = add_flac_album(tenv.fake, parts)
    fake: TranscodingJellyfin = tenv.fake  # type: ignore[assignment]
    fake.transcode_faults.append(TranscodeFault(refuse=True, times=10))
    manager = transcoding(tenv, "opus:128")
    await manager.start()
    row, _ = await manager.download_item(track.id)
    assert row.quality == "opus:128"
    done = await wait_ended(manager, row.id)
    assert done.status is DownloadStatus.COMPLETED, done.error_message
    # the row now says what landed: the original file, at its own path, size and quality
    assert done.quality == "original" and done.file_size == track.size
    path = absolute(tenv.cache_dir, done.file_path or "")
    assert path.suffix == ".flac" and path.read_bytes() == track.payload
    assert not absolute(tenv.cache_dir, row.file_path or "").exists()  # no .opus left behind
    assert len(fake.transcodes) == 1, "asked once: an error document is not worth a retry"
    assert await manager.offline.kept_quality(track.id) == "original"


async def test_an_mp3_at_128_with_opus_160_downloads_the_original(tenv: Env) -> None:
    seconds = 20.0
    album, _ = tenv.fake.add_album("Lossy", [])
    track = tenv.fake.add_track("MP3", album.id, int(128_000 / 8 * seconds), container="mp3")
    track.runtime_seconds = seconds
    manager = transcoding(tenv, "opus:160")
    await manager.start()
    row, _ = await manager.download_item(track.id)
    assert row.quality == "original" and row.file_size == track.size
    done = await wait_ended(manager, row.id)
    assert done.status is DownloadStatus.COMPLETED
    assert absolute(tenv.cache_dir, done.file_path or "").read_bytes() == track.data()
    assert not tenv.fake.transcodes  # type: ignore[attr-defined]
    assert ("GET", f"/Items/{track.id}/Download") in tenv.fake.requests


async def test_a_person_and_the_pre_cacher_each_get_their_own_setting(
    tenv: Env, parts: FlacParts
) -> None:
    _album, (first, second) = add_flac_album(tenv.fake, parts)
    manager = tenv.manager(PATIENT)
    manager.set_transcode(lambda o: parse_setting("opus:96" if o is Origin.AUTO else "off"))
    await manager.start()
    mine, _ = await manager.download_item(first.id)
    auto, _ = await manager.download_item(second.id, origin=Origin.AUTO)
    assert (mine.quality, auto.quality) == ("original", "opus:96")
    assert auto.file_size == int(96_000 / 8 * FRAMES[1] / RATE)  # expected: bitrate x duration
    for row in (mine, auto):
        assert (await wait_ended(manager, row.id)).status is DownloadStatus.COMPLETED
