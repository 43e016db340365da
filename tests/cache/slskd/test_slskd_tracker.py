"""The tracker against the fake slskd: progress, matching, grace period, retries, cleanup, landing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cache.downloads import Download, DownloadEvent, DownloadStatus
from cache.slskd.errors import SlskdError
from cache.slskd.events import TrackerConfig
from cache.slskd.store import MemoryStore
from cache.slskd.tracker import Tracker
from cache.slskd.wire import FileRequest
from tests.cache.slskd.conftest import ALBUM, FILES, MakeClient, ManualClock
from tests.fakes.slskd import FakeSlskd

SONG = f"{ALBUM}\\01 - Mouth for War.flac"
SONG2 = f"{ALBUM}\\02 - A New Level.flac"
REQ = FileRequest(SONG, len(FILES[SONG]))
REQ2 = FileRequest(SONG2, len(FILES[SONG2]))


@dataclass
class Rig:
    tracker: Tracker
    store: MemoryStore
    clock: ManualClock
    events: list[DownloadEvent] = field(default_factory=list)
    waiting: list[Download] = field(default_factory=list)

    def kinds(self) -> list[str]:
        return [str(e.kind) for e in self.events]

    async def row(self, index: int = 0) -> Download:
        row = await self.store.get(sorted(self.store.rows)[index])
        assert row is not None
        return row


MakeRig = Callable[..., Awaitable[Rig]]


@pytest.fixture
def make_rig(make_client: MakeClient, tmp_path: Path, downloads_dir: Path) -> MakeRig:
    async def make(client_options: dict[str, object] | None = None, **options: object) -> Rig:
        client = await make_client(**(client_options or {}))
        fields: dict[str, object] = {
            "downloads_dir": downloads_dir, "cache_dir": tmp_path / "cache", "cleanup_interval": 1e9,
        }  # fmt: skip
        config = TrackerConfig(**(fields | options))  # type: ignore[arg-type]
        store, clock = MemoryStore(), ManualClock()
        events: list[DownloadEvent] = []
        waiting: list[Download] = []

        async def on_waiting(row: Download) -> None:
            waiting.append(row)

        tracker = Tracker(
            client,
            store,
            config,
            clock=clock,
            on_event=events.append,
            on_awaiting_library=on_waiting,
        )
        rig = Rig(tracker, store, clock, events, waiting)
        return rig

    return make


async def test_progress_to_completed_lands_the_file(
    make_rig: MakeRig, fake: FakeSlskd, tmp_path: Path
) -> None:
    rig = await make_rig(progress_bytes=1000)
    outcome = await rig.tracker.enqueue("peer one", [REQ])
    (row,) = outcome.downloads
    tid = row.remote_transfer
    assert tid is not None
    await rig.tracker.poll_once()
    assert (await rig.row()).status is DownloadStatus.PENDING
    fake.progress(tid, 1000)
    await rig.tracker.poll_once()
    r = await rig.row()
    assert (r.status, r.bytes_downloaded) == (DownloadStatus.DOWNLOADING, 1000)
    assert r.progress == pytest.approx(1 / 3)
    rig.clock.now += 1
    fake.progress(tid, 2000)
    await rig.tracker.poll_once()
    fake.complete(tid)
    await rig.tracker.poll_once()
    done = await rig.row()
    assert done.status is DownloadStatus.COMPLETED
    assert done.file_path == f"media/slskd/{done.item_id[:2]}/{done.item_id}.flac"
    assert (tmp_path / "cache" / done.file_path).read_bytes() == FILES[SONG]
    assert rig.kinds() == ["queued", "started", "progress", "completed"]
    started = rig.events[1]
    assert started.speed == 500_000.0 and started.eta is not None


@pytest.mark.parametrize("flat", [False, True])
async def test_legacy_enqueue_without_ids_is_matched_by_name(
    make_rig: MakeRig, fake: FakeSlskd, flat: bool
) -> None:
    fake.version = (0, 23)
    fake.flat_shape = flat
    rig = await make_rig()
    outcome = await rig.tracker.enqueue("peer one", [REQ, REQ2])
    assert [r.remote_transfer for r in outcome.downloads] == [None, None]
    await rig.tracker.poll_once()
    first, second = await rig.row(0), await rig.row(1)
    assert first.remote_transfer == fake.by_name(SONG).id
    assert second.remote_transfer == fake.by_name(SONG2).id


async def test_changed_id_is_corrected(make_rig: MakeRig, fake: FakeSlskd) -> None:
    rig = await make_rig()
    (row,) = (await rig.tracker.enqueue("peer one", [REQ])).downloads
    assert row.remote_transfer is not None
    new_id = fake.change_id(row.remote_transfer)
    await rig.tracker.poll_once()
    assert (await rig.row()).remote_transfer == new_id


async def test_grace_period_then_failed(make_rig: MakeRig, fake: FakeSlskd) -> None:
    rig = await make_rig(max_retries=0)
    (row,) = (await rig.tracker.enqueue("peer one", [REQ])).downloads
    assert row.remote_transfer is not None
    fake.hidden.add(row.remote_transfer)
    await rig.tracker.poll_once()
    await rig.tracker.poll_once()
    r = await rig.row()
    assert (r.status, r.missing_polls) == (DownloadStatus.PENDING, 2)
    fake.fail_status = 500  # a failed poll says nothing: the count stays
    with pytest.raises(SlskdError):
        await rig.tracker.poll_once()
    assert (await rig.row()).missing_polls == 2
    fake.fail_status = None
    await rig.tracker.poll_once()
    r = await rig.row()
    assert r.status is DownloadStatus.FAILED
    assert r.error_message is not None and "missing" in r.error_message


async def test_reappearing_resets_the_count(make_rig: MakeRig, fake: FakeSlskd) -> None:
    rig = await make_rig()
    (row,) = (await rig.tracker.enqueue("peer one", [REQ])).downloads
    assert row.remote_transfer is not None
    fake.hidden.add(row.remote_transfer)
    await rig.tracker.poll_once()
    await rig.tracker.poll_once()
    fake.hidden.clear()
    await rig.tracker.poll_once()
    assert (await rig.row()).missing_polls == 0


@pytest.mark.parametrize("version", [(0, 26), (0, 23)])
async def test_retries_then_fails(
    make_rig: MakeRig, fake: FakeSlskd, version: tuple[int, int]
) -> None:
    fake.version = version
    rig = await make_rig(max_retries=2)
    await rig.tracker.enqueue("peer one", [REQ])
    await rig.tracker.poll_once()  # (0.23: learns the id)
    seen = set()
    for attempt in (1, 2):
        tid = (await rig.row()).remote_transfer
        assert tid is not None and tid not in seen
        seen.add(tid)
        fake.fail(tid, "Completed, TimedOut", "peer timed out")
        await rig.tracker.poll_once()
        r = await rig.row()
        assert (r.status, r.retry_count) == (DownloadStatus.PENDING, attempt)
        assert r.error_message == "peer timed out"
        await rig.tracker.poll_once()  # (0.23: finds the new transfer by name, not the dead one)
    tid = (await rig.row()).remote_transfer
    assert tid is not None and tid not in seen
    fake.fail(tid, "Completed, Rejected", "no")
    await rig.tracker.poll_once()
    assert (await rig.row()).status is DownloadStatus.FAILED
    assert rig.kinds()[-1] == "failed"


async def test_wrong_size_never_lands(make_rig: MakeRig, fake: FakeSlskd, tmp_path: Path) -> None:
    rig = await make_rig(max_retries=0)
    (row,) = (await rig.tracker.enqueue("peer one", [REQ])).downloads
    assert row.remote_transfer is not None
    fake.complete(row.remote_transfer, content=b"short")
    await rig.tracker.poll_once()
    r = await rig.row()
    assert r.status is DownloadStatus.FAILED
    assert r.error_message is not None and "size" in r.error_message
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob("*.flac"))


async def test_without_downloads_dir_waits_for_the_library(
    make_rig: MakeRig, fake: FakeSlskd
) -> None:
    rig = await make_rig(downloads_dir=None)
    (row,) = (await rig.tracker.enqueue("peer one", [REQ])).downloads
    assert row.remote_transfer is not None
    fake.complete(row.remote_transfer)
    await rig.tracker.poll_once()
    r = await rig.row()
    assert r.awaiting_library and r.status is DownloadStatus.PENDING and r.file_path is None
    assert [w.id for w in rig.waiting] == [r.id]
    assert await rig.store.followed() == []


async def test_cleanup_individual_then_bulk(make_rig: MakeRig, fake: FakeSlskd) -> None:
    rig = await make_rig(max_retries=0, cleanup_interval=0, bulk_cleanup=True)
    a, b = (await rig.tracker.enqueue("peer one", [REQ, REQ2])).downloads
    assert a.remote_transfer is not None and b.remote_transfer is not None
    fake.fail(a.remote_transfer)
    fake.complete(b.remote_transfer)
    await rig.tracker.poll_once()
    one_by_one = ("DELETE", f"/api/v0/transfers/downloads/peer one/{a.remote_transfer}")
    bulk = ("DELETE", "/api/v0/transfers/downloads/all/completed")
    assert fake.requests.index(one_by_one) < fake.requests.index(bulk)
    assert fake.transfers[a.remote_transfer].removed and fake.transfers[b.remote_transfer].removed
    assert fake.requests.count(bulk) == 1
    await rig.tracker.poll_once()  # nothing left of ours: no second clear
    assert fake.requests.count(bulk) == 1


async def test_no_bulk_clear_while_a_file_waits_to_land(make_rig: MakeRig, fake: FakeSlskd) -> None:
    rig = await make_rig(cleanup_interval=0, landing_attempts=2, bulk_cleanup=True)
    a, b = (await rig.tracker.enqueue("peer one", [REQ, REQ2])).downloads
    assert a.remote_transfer is not None and b.remote_transfer is not None
    fake.complete(a.remote_transfer)
    fake.downloads_dir = None  # b completes but its file is nowhere to be seen
    fake.complete(b.remote_transfer)
    await rig.tracker.poll_once()
    bulk = ("DELETE", "/api/v0/transfers/downloads/all/completed")
    assert bulk not in fake.requests
    await rig.tracker.poll_once()  # b gives up landing: waits for the library
    assert (await rig.row(1)).awaiting_library
    assert bulk in fake.requests


async def test_bulk_cleanup_off_removes_only_ours(make_rig: MakeRig, fake: FakeSlskd) -> None:
    client = await make_rig(bulk_cleanup=False, cleanup_interval=0)
    (row,) = (await client.tracker.enqueue("peer one", [REQ])).downloads
    assert row.remote_transfer is not None
    fake.complete(row.remote_transfer)
    await client.tracker.poll_once()
    assert ("DELETE", "/api/v0/transfers/downloads/all/completed") not in fake.requests
    assert fake.transfers[row.remote_transfer].removed


async def test_user_cancel(make_rig: MakeRig, fake: FakeSlskd) -> None:
    fake.version = (0, 23)  # no id yet: the cancel finds the transfer by name
    rig = await make_rig()
    (row,) = (await rig.tracker.enqueue("peer one", [REQ])).downloads
    cancelled = await rig.tracker.cancel(row.id)
    assert cancelled is not None and cancelled.status is DownloadStatus.CANCELLED
    assert fake.by_name(SONG).state == "Completed, Cancelled"
    assert rig.kinds() == ["queued", "cancelled"]
    await rig.tracker.poll_once()
    assert (await rig.row()).status is DownloadStatus.CANCELLED


async def test_cleanup_on_a_shared_slskd_removes_only_ours(
    make_rig: MakeRig, make_client: MakeClient, fake: FakeSlskd
) -> None:
    other = await make_client()  # another application using the same slskd
    (theirs,) = (await other.enqueue("peer one", [REQ2])).enqueued
    rig = await make_rig(cleanup_interval=0)  # the default cleanup
    (row,) = (await rig.tracker.enqueue("peer one", [REQ])).downloads
    assert row.remote_transfer is not None
    fake.complete(theirs.id)
    fake.complete(row.remote_transfer)
    await rig.tracker.poll_once()
    assert (await rig.row()).status is DownloadStatus.COMPLETED
    assert fake.transfers[row.remote_transfer].removed
    assert not fake.transfers[theirs.id].removed  # someone else's finished transfer stays
    assert ("DELETE", "/api/v0/transfers/downloads/all/completed") not in fake.requests
