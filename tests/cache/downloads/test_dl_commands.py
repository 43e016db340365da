"""Commands: album order, pause/resume/cancel/delete, bulk actions, gate, offline lookups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

from cache.downloads import Download, DownloadStatus, Origin
from cache.downloads.paths import absolute, part_path
from cache.errors import InvalidStateError, NotFoundError
from cache.gate import Turn
from cache.jellyfin import sync_catalogue
from tests.cache.downloads.conftest import FAST, Env, wait_ended
from tests.fakes.jellyfin import Fault, FaultKind
from tests.polling import until


async def test_download_album_queues_tracks_in_disc_track_order(env: Env) -> None:
    album, tracks = env.fake.add_album("Two Discs", [1000] * 5, discs=[2, 1, 2, 1, 1])
    manager = env.manager()
    rows = await manager.download_album(album.id)
    expected = sorted(tracks, key=lambda t: (t.disc or 0, t.index or 0))
    assert [r.item_id for r in rows] == [t.id for t in expected]
    listed = await manager.list_downloads()
    assert [d.item_id for d in listed.downloads] == [t.id for t in expected]
    assert (listed.total, listed.queued_count, listed.active_count) == (5, 5, 0)
    await manager.start()
    for row in rows:
        assert (await wait_ended(manager, row.id)).status == DownloadStatus.COMPLETED
    again = await manager.download_album(album.id)
    assert [r.id for r in again] == [r.id for r in rows]


async def test_existing_item_is_returned_and_pinned(env: Env) -> None:
    _album, (track,) = env.fake.add_album("One", [1000])
    manager = env.manager()
    first, created = await manager.download_item(track.id, origin=Origin.AUTO)
    second, created_again = await manager.download_item(track.id, priority=5)
    assert created and not created_again
    assert second.id == first.id
    assert (second.origin, second.priority) == (Origin.USER, 5)


async def test_pause_resume_cancel_delete(env: Env) -> None:
    _album, (stalls, other) = env.fake.add_album("Mixed", [2_000_000, 5000])
    env.fake.add_fault(Fault(FaultKind.STALL, after=1_000_000))
    manager = env.manager(config=replace(FAST, read_timeout=30.0))
    await manager.start()
    slow, _ = await manager.download_item(stalls.id)
    await until(lambda: env.kinds(slow.id).count("progress") >= 1, tries=1000)
    paused = await manager.pause(slow.id)
    assert paused.status == DownloadStatus.PAUSED
    part = part_path(absolute(env.cache_dir, paused.file_path or ""))
    assert part.exists()
    assert (await manager.pause(slow.id)).status == DownloadStatus.PAUSED  # idempotent
    resumed = await manager.resume(slow.id)
    assert resumed.status in (DownloadStatus.PENDING, DownloadStatus.DOWNLOADING)
    done = await wait_ended(manager, slow.id)
    assert done.status == DownloadStatus.COMPLETED
    assert absolute(env.cache_dir, done.file_path or "").read_bytes() == stalls.data()
    with pytest.raises(InvalidStateError):
        await manager.cancel(slow.id)
    await manager.pause_all()
    quick, _ = await manager.download_item(other.id)
    cancelled = await manager.cancel(quick.id)
    assert cancelled.status == DownloadStatus.CANCELLED
    await manager.delete(slow.id)
    assert not absolute(env.cache_dir, done.file_path or "").exists()
    with pytest.raises(NotFoundError):
        await manager.get(slow.id)
    kinds = env.kinds(slow.id)
    assert kinds[:3] == ["queued", "started", "progress"]
    assert kinds[-1] == "deleted"
    assert kinds.index("paused") < kinds.index("resumed") < kinds.index("completed")


async def test_active_download_cannot_be_deleted(env: Env) -> None:
    _album, (track,) = env.fake.add_album("One", [1000])
    manager = env.manager()
    row, _ = await manager.download_item(track.id)
    with pytest.raises(InvalidStateError):
        await manager.delete(row.id)


async def test_bulk_pause_resume_and_clear_completed_keeps_files(env: Env) -> None:
    album, tracks = env.fake.add_album("Bulk", [3000] * 3)
    manager = env.manager()
    rows = await manager.download_album(album.id)
    assert await manager.pause_all() == 3
    assert {(await manager.get(r.id)).status for r in rows} == {DownloadStatus.PAUSED}
    await manager.start()
    assert await manager.resume_all() == 3
    for row in rows:
        assert (await wait_ended(manager, row.id)).status == DownloadStatus.COMPLETED
    assert await manager.clear_completed() == 3
    assert (await manager.list_downloads()).total == 0
    for track in tracks:
        path = await manager.offline.local_copy(track.id)
        assert path is not None and path.read_bytes() == track.data()
    relisted, created = await manager.download_item(tracks[0].id)
    assert not created and (await manager.list_downloads()).total == 1
    assert relisted.status == DownloadStatus.COMPLETED


class Gate:
    def __init__(self) -> None:
        self.reason: str | None = "waiting for Wi-Fi"
        self.blocks: set[Origin] = {Origin.AUTO, Origin.USER}

    def wait_reason(self, origin: Origin, remaining: int = 0) -> str | None:
        return self.reason if origin in self.blocks else None

    def turn(
        self, queued: Sequence[Download], running: Sequence[Download], slots: int
    ) -> Turn[Download]:
        free = slots - len(running)
        return Turn([], [r for r in queued if self.wait_reason(r.origin) is None][:free])


async def test_gate_holds_downloads_with_a_reason(env: Env) -> None:
    _album, (track,) = env.fake.add_album("Gated", [1000])
    manager = env.manager()
    gate = Gate()
    manager.set_gate(gate)
    await manager.start()
    row, _ = await manager.download_item(track.id)
    assert row.wait_reason == "waiting for Wi-Fi"
    assert (await manager.get(row.id)).status == DownloadStatus.PENDING
    gate.reason = None
    await manager.gate_changed()
    assert (await wait_ended(manager, row.id)).status == DownloadStatus.COMPLETED


async def test_gate_blocks_only_the_origins_it_names(env: Env) -> None:
    _album, (auto, user) = env.fake.add_album("Half gated", [1000, 1000])
    manager = env.manager()
    gate = Gate()
    gate.blocks = {Origin.AUTO}
    manager.set_gate(gate)
    await manager.start()
    held, _ = await manager.download_item(auto.id, origin=Origin.AUTO)
    pinned, _ = await manager.download_item(user.id)
    assert held.wait_reason == "waiting for Wi-Fi" and pinned.wait_reason is None
    assert (await wait_ended(manager, pinned.id)).status == DownloadStatus.COMPLETED
    assert (await manager.get(held.id)).status == DownloadStatus.PENDING
    gate.blocks = set()
    await manager.gate_changed()
    assert (await wait_ended(manager, held.id)).status == DownloadStatus.COMPLETED


async def test_priority_order(env: Env) -> None:
    _album, tracks = env.fake.add_album("Prio", [1000] * 3)
    manager = env.manager(config=replace(FAST, concurrency=1))
    low, _ = await manager.download_item(tracks[0].id, priority=0)
    high, _ = await manager.download_item(tracks[1].id, priority=10)
    mid, _ = await manager.download_item(tracks[2].id, priority=5)
    await manager.start()
    for row in (low, high, mid):
        await wait_ended(manager, row.id)
    served = [r.item_id for r in env.fake.downloads]
    assert served == [tracks[1].id, tracks[2].id, tracks[0].id]


async def test_offline_items_search_and_resolve(env: Env) -> None:
    album, tracks = env.fake.add_album("Blue Train", [2000, 2000])
    env.fake.tracks[tracks[0].id].name = "Moment's Notice"
    await sync_catalogue(env.client, env.db)
    manager = env.manager()
    await manager.start()
    row, _ = await manager.download_item(tracks[0].id)
    await wait_ended(manager, row.id)
    items, total = await manager.offline.items()
    assert total == 1 and items[0].title == "Moment's Notice" and items[0].available_offline
    assert [t.id for t in await manager.offline.search("moment")] == [tracks[0].id]
    assert [t.id for t in await manager.offline.search("blue tra")] == [tracks[0].id]
    assert await manager.offline.search('" OR *') == []
    assert await manager.offline.is_available(tracks[0].id)
    assert not await manager.offline.is_available(tracks[1].id)
    assert await manager.offline.local_copy(tracks[1].id) is None
    path = await manager.offline.local_copy(tracks[0].id)
    assert path is not None
    path.write_bytes(b"short")  # damaged on disk: no longer resolvable
    assert await manager.offline.local_copy(tracks[0].id) is None
    assert album.id == items[0].album_id
