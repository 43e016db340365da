"""Restart safety: resume from the part file, reconcile disk and rows, a full disk."""

from __future__ import annotations

import asyncio
import errno
import signal
import sys
from dataclasses import replace
from pathlib import Path

from cache.downloads import DownloadStatus, WaitReason
from cache.downloads.paths import absolute, part_path
from cache.downloads.writer import OsPartWriter, PartWriter
from tests.cache.downloads.conftest import FAST, Env, wait_ended
from tests.fakes.jellyfin import Fault, FaultKind
from tests.polling import until

MIB = 1 << 20
ROOT = Path(__file__).resolve().parents[3]


async def test_new_manager_resumes_from_the_partial_offset(env: Env) -> None:
    size = 6 * MIB
    _album, (track,) = env.fake.add_album("Big", [size])
    env.fake.add_fault(Fault(FaultKind.STALL, after=3 * MIB))
    first = env.manager(config=replace(FAST, read_timeout=30.0))
    await first.start()
    row, _ = await first.download_item(track.id)
    part = part_path(absolute(env.cache_dir, row.file_path or ""))
    await until(lambda: part.exists() and part.stat().st_size >= 2 * MIB, tries=1000)
    await first.stop()  # as good as a crash: the row is left `downloading`
    assert (await first.get(row.id)).status == DownloadStatus.DOWNLOADING
    offset = part.stat().st_size

    second = env.manager()
    report = await second.start()
    assert report.reset == 1
    done = await wait_ended(second, row.id)
    assert done.status == DownloadStatus.COMPLETED
    assert absolute(env.cache_dir, done.file_path or "").read_bytes() == track.data()
    resumed = env.fake.downloads[-1]
    assert resumed.range == f"bytes={offset}-" and resumed.status == 206
    assert resumed.if_range is not None
    sent = sum(r.bytes_sent for r in env.fake.downloads)
    assert sent <= size + MIB


async def test_reconcile_keeps_orphans_removes_stray_parts_and_requeues_broken(env: Env) -> None:
    _album, tracks = env.fake.add_album("Rec", [4000, 4000, 4000])
    manager = env.manager()
    await manager.start()
    rows = [(await manager.download_item(t.id))[0] for t in tracks]
    for row in rows:
        await wait_ended(manager, row.id)
    await manager.stop()
    media = env.cache_dir / "media"
    orphan = media / "jellyfin" / "zz" / "zzzz.flac"  # named like one of ours: adopted
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"x")
    stranger = media / "jellyfin" / "zz" / "notours.flac"  # not: moved aside, never deleted
    stranger.write_bytes(b"s")
    stray_part = media / "jellyfin" / "zz" / "yyyy.flac.part"
    stray_part.write_bytes(b"y")
    missing = absolute(env.cache_dir, rows[0].file_path or "")
    missing.unlink()
    wrong = absolute(env.cache_dir, rows[1].file_path or "")
    wrong.write_bytes(b"truncated")

    again = env.manager()
    report = await again.start()
    assert report.requeued == 2
    assert set(report.removed) == {stray_part.relative_to(env.cache_dir).as_posix()}
    assert not stray_part.exists()
    assert orphan.read_bytes() == b"x" and report.adopted == 1
    adopted = await again.list_downloads(limit=10)
    assert "zzzz" in {d.item_id for d in adopted.downloads}
    assert report.moved_aside == ("lost+found/media/jellyfin/zz/notours.flac",)
    assert (env.cache_dir / report.moved_aside[0]).read_bytes() == b"s"
    for row, track in zip(rows, tracks, strict=True):
        done = await wait_ended(again, row.id)
        assert done.status == DownloadStatus.COMPLETED
        assert absolute(env.cache_dir, done.file_path or "").read_bytes() == track.data()


async def test_a_lost_cache_db_deletes_no_downloaded_file(env: Env) -> None:
    """Issue 13 item 5: with every row gone, the files are adopted again, none fetched twice."""
    _album, tracks = env.fake.add_album("Kept", [3000, 5000])
    manager = env.manager()
    await manager.start()
    rows = [(await manager.download_item(t.id))[0] for t in tracks]
    for row in rows:
        await wait_ended(manager, row.id)
    await manager.stop()
    await env.db.execute("DELETE FROM downloads")
    served = len(env.fake.downloads)

    again = env.manager()
    report = await again.start()
    assert report.adopted == 2 and report.removed == () and report.moved_aside == ()
    for track in tracks:
        path = await again.offline.local_copy(track.id)
        assert path is not None and path.read_bytes() == track.data()
    assert len(env.fake.downloads) == served


async def test_reconcile_adopts_a_file_renamed_before_the_crash(env: Env) -> None:
    _album, (track,) = env.fake.add_album("Adopt", [5000])
    manager = env.manager()
    row, _ = await manager.download_item(track.id)  # not started: stays pending
    final = absolute(env.cache_dir, row.file_path or "")
    final.parent.mkdir(parents=True)
    final.write_bytes(track.data())
    report = await manager.start()
    assert report.adopted == 1
    assert (await manager.get(row.id)).status == DownloadStatus.COMPLETED
    assert env.fake.downloads == []


async def test_complete_part_is_finished_through_416(env: Env) -> None:
    _album, (track,) = env.fake.add_album("Whole", [5000])
    manager = env.manager()
    row, _ = await manager.download_item(track.id)
    part = part_path(absolute(env.cache_dir, row.file_path or ""))
    part.parent.mkdir(parents=True)
    part.write_bytes(track.data())
    await env.db.execute(
        "UPDATE downloads SET last_modified = 'Tue, 14 Nov 2023 22:13:20 GMT' WHERE id = ?",
        (row.id,),
    )
    await manager.start()
    done = await wait_ended(manager, row.id)
    assert done.status == DownloadStatus.COMPLETED
    assert [r.status for r in env.fake.downloads] == [416]
    assert absolute(env.cache_dir, done.file_path or "").read_bytes() == track.data()


async def test_part_longer_than_the_file_starts_over(env: Env) -> None:
    _album, (track,) = env.fake.add_album("Long", [5000])
    manager = env.manager()
    row, _ = await manager.download_item(track.id)
    part = part_path(absolute(env.cache_dir, row.file_path or ""))
    part.parent.mkdir(parents=True)
    part.write_bytes(b"z" * 9000)
    await env.db.execute(
        "UPDATE downloads SET last_modified = 'Tue, 14 Nov 2023 22:13:20 GMT' WHERE id = ?",
        (row.id,),
    )
    await manager.start()
    done = await wait_ended(manager, row.id)
    assert done.status == DownloadStatus.COMPLETED
    assert absolute(env.cache_dir, done.file_path or "").read_bytes() == track.data()


class FullDisk:
    """A writer that accepts `room` bytes in total, then fails like a full disk."""

    def __init__(self, room: int) -> None:
        self.room = room

    def __call__(self, path: Path, offset: int) -> PartWriter:
        outer = self

        class Writer(OsPartWriter):
            def write(self, data: bytes) -> None:
                if len(data) > outer.room:
                    super().write(data[: outer.room // 2])  # a partial write, then ENOSPC
                    outer.room = 0
                    raise OSError(errno.ENOSPC, "No space left on device")
                outer.room -= len(data)
                super().write(data)

        return Writer(path, offset)


async def test_disk_full_pauses_everything_and_corrupts_nothing(env: Env) -> None:
    _album, tracks = env.fake.add_album("Full", [3 * MIB, 3 * MIB])
    disk = FullDisk(room=MIB)
    manager = env.manager(open_writer=disk)
    await manager.start()
    rows = [(await manager.download_item(t.id))[0] for t in tracks]
    first = await wait_ended(manager, rows[0].id)
    assert first.status == DownloadStatus.PAUSED
    assert first.wait_reason == WaitReason.DISK_FULL
    await until(
        lambda: (
            all(
                e.download.status == "paused"
                for e in env.events
                if e.kind == "paused" and e.download.id == rows[1].id
            )
            and any(e.kind == "paused" and e.download.id == rows[1].id for e in env.events)
        )
    )
    for row, track in zip(rows, tracks, strict=True):
        current = await manager.get(row.id)
        assert current.status == DownloadStatus.PAUSED
        part = part_path(absolute(env.cache_dir, row.file_path or ""))
        if part.exists():
            data = part.read_bytes()
            assert data == track.data(0, len(data)), "the part is no longer a clean prefix"
    disk.room = 100 * MIB  # space freed
    assert await manager.resume_all() == 2
    for row, track in zip(rows, tracks, strict=True):
        done = await wait_ended(manager, row.id)
        assert done.status == DownloadStatus.COMPLETED, done.error_message
        assert absolute(env.cache_dir, done.file_path or "").read_bytes() == track.data()


async def test_sigkill_mid_download_then_restart_finishes_from_the_part(env: Env) -> None:
    size = 6 * MIB
    _album, (track,) = env.fake.add_album("Killed", [size])
    env.fake.add_fault(Fault(FaultKind.STALL, after=3 * MIB))

    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.cache.downloads.kill_child",
        str(env.tmp / "cache.db"),
        str(env.cache_dir),
        str(env.tmp / "state"),
        env.fake.url,
        track.id,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        media = env.cache_dir / "media"

        def parts() -> list[Path]:
            return [p for p in media.rglob("*.part") if p.stat().st_size >= 2 * MIB]

        await until(lambda: media.exists() and parts(), tries=3000)
    finally:
        child.send_signal(signal.SIGKILL)
        await child.wait()
    offset = parts()[0].stat().st_size
    manager = env.manager()
    report = await manager.start()
    assert report.reset == 1
    row = (await manager.list_downloads()).downloads[0]
    done = await wait_ended(manager, row.id)
    assert done.status == DownloadStatus.COMPLETED
    assert absolute(env.cache_dir, done.file_path or "").read_bytes() == track.data()
    last = env.fake.downloads[-1]
    assert last.range == f"bytes={offset}-" and last.status == 206
    assert sum(r.bytes_sent for r in env.fake.downloads) <= size + MIB
