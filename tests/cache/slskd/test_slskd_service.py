"""The facade MediaCache owns: events in api.md's shape, landed files in the catalogue, and the
hand-off of files slskd finished where we cannot read them to Jellyfin."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import aiosqlite
import pytest
from pytest_aiohttp import AiohttpServer

from cache.catalogue import AlbumRecord, Catalogue, TrackRecord
from cache.downloads import Download, DownloadStatus, OfflineLibrary
from cache.downloads.reconcile import reconcile
from cache.downloads.store import DownloadStore
from cache.models import AlbumId, ItemId, SourceKind, Track
from cache.slskd.errors import SlskdRequestError
from cache.slskd.service import SlskdService, SlskdSettings
from cache.slskd.store import AWAITING_LIBRARY_REASON
from cache.slskd.wire import FileRequest
from player.web.wire import download_json, event_json
from tests.cache.slskd.conftest import FILES
from tests.fakes.slskd import API_KEY, FakeSlskd
from tests.polling import until
from tests.running import Loops

DOWNLOAD_KEYS = {
    "id", "item_id", "user_id", "source", "origin", "title", "album", "album_id", "status",
    "progress", "bytes_downloaded", "file_size", "priority", "error_message", "retry_count",
    "queued_at", "started_at", "completed_at", "wait_reason",
}  # fmt: skip
FIRST = next(iter(FILES))


@pytest.fixture
def db(fresh_db: aiosqlite.Connection) -> aiosqlite.Connection:
    return fresh_db  # tests/conftest.py's, under the name these tests use


class Rig:
    def __init__(self, service: SlskdService, catalogue: Catalogue) -> None:
        self.service, self.catalogue = service, catalogue
        self.events: list[dict[str, Any]] = []
        self.queued: list[str] = []


@pytest.fixture
async def make_rig(
    aiohttp_server: AiohttpServer,
    session: aiohttp.ClientSession,
    fake: FakeSlskd,
    db: aiosqlite.Connection,
    tmp_path: Path,
) -> AsyncIterator[Any]:
    loops = Loops()

    async def make(downloads_dir: Path | None) -> Rig:
        server = await aiohttp_server(fake.app())
        settings = SlskdSettings(
            url=str(server.make_url("/")), api_key=API_KEY, downloads_dir=downloads_dir,
            poll_active=0.01, poll_idle=0.02, library_check_interval=60.0,
        )  # fmt: skip
        catalogue = Catalogue(db)
        rig: Rig

        async def queue_item(item_id: str) -> None:
            rig.queued.append(item_id)

        service = SlskdService(
            settings, db, catalogue, tmp_path / "cache", session, queue_item=queue_item,
            on_event=lambda e: rig.events.append(event_json(e)),  # the page's JSON of each event
        )  # fmt: skip
        rig = Rig(service, catalogue)
        loops.spawn("slskd-tracker", service.tracker.run())
        loops.spawn("slskd-library", service.watch_library())
        return rig

    yield make
    await loops.close()


async def test_settings_never_show_the_key() -> None:
    assert API_KEY not in repr(SlskdSettings(url="http://x", api_key=API_KEY))


async def test_landed_file_is_in_the_catalogue_and_events_are_downloads(
    make_rig: Any, fake: FakeSlskd, downloads_dir: Path
) -> None:
    rig: Rig = await make_rig(downloads_dir)
    [download] = await rig.service.enqueue("peer one", [FileRequest(FIRST, len(FILES[FIRST]))])
    row = download_json(download)
    # api.md's Download, plus can_pause (what the row's source can do) and quality (issue 20)
    assert (
        set(row) == DOWNLOAD_KEYS | {"can_pause", "quality"}
        and row["source"] == "slskd"
        and row["album_id"]
        and row["quality"] == "original"
    )
    fake.complete(fake.by_name(FIRST).id)

    async def landed() -> bool:
        return any(e["event"] == "completed" for e in rig.events)

    await until(landed, tries=200)
    for event in rig.events:
        assert event["type"] == "download"
        assert set(event["download"]) >= DOWNLOAD_KEYS and "eta" in event["download"]
    track = await rig.catalogue.track(row["item_id"])
    assert track is not None and track.source is SourceKind.SLSKD
    # No tags in these bytes: named from the peer's folders, like a local file would be.
    assert (track.title, track.album, track.artists) == (
        "Mouth for War",
        "Vulgar Display",
        ("Pantera",),
    )
    assert track.album_id == row["album_id"] and track.size == len(FILES[FIRST])


async def test_nothing_enqueued_is_an_error(make_rig: Any, fake: FakeSlskd) -> None:
    rig: Rig = await make_rig(None)
    request = [FileRequest(FIRST, len(FILES[FIRST]))]
    await rig.service.enqueue("peer one", request)
    with pytest.raises(SlskdRequestError):  # slskd: "Skipped: Already in progress"
        await rig.service.enqueue("peer one", request)


async def test_unreadable_file_waits_for_jellyfin_then_hands_off(
    make_rig: Any, fake: FakeSlskd, db: aiosqlite.Connection
) -> None:
    await _hand_off(make_rig, fake, db)


async def _hand_off(make_rig: Any, fake: FakeSlskd, db: aiosqlite.Connection) -> Download:
    rig: Rig = await make_rig(None)  # slskd's folder is not readable from here
    [download] = await rig.service.enqueue("peer one", [FileRequest(FIRST, len(FILES[FIRST]))])
    row = download_json(download)
    fake.complete(fake.by_name(FIRST).id)

    async def waiting() -> bool:
        return bool(await rig.service.store.awaiting())

    await until(waiting, tries=200)
    async with db.execute("SELECT wait_reason FROM downloads WHERE id = ?", (row["id"],)) as cur:
        assert (await cur.fetchone())[0] == AWAITING_LIBRARY_REASON  # type: ignore[index]
    assert await rig.service.check_library() == 0  # not in Jellyfin yet
    jellyfin_track = Track(
        id=ItemId("f" * 32), title="Mouth for War", album="Vulgar Display",
        album_id=AlbumId("a" * 32), artists=("Pantera",), duration=1.0, track_number=1,
        disc_number=1, container="flac", size=len(FILES[FIRST]), source=SourceKind.JELLYFIN,
        available_offline=False,
    )  # fmt: skip
    album = AlbumRecord(AlbumId("a" * 32), SourceKind.JELLYFIN, "Vulgar Display", ("Pantera",))
    await rig.catalogue.upsert([album], [TrackRecord(jellyfin_track)])
    assert await rig.service.check_library() == 1
    assert rig.queued == ["f" * 32]
    done = await rig.service.store.get(row["id"])
    assert done is not None and done.status is DownloadStatus.COMPLETED
    assert not done.awaiting_library and rig.events[-1]["event"] == "completed"
    return done


async def test_the_handed_off_row_is_never_an_offline_item_without_a_file(
    make_rig: Any, fake: FakeSlskd, db: aiosqlite.Connection, tmp_path: Path
) -> None:
    """Issue 13, finding 15: the slskd row only points to the Jellyfin copy, which is what
    becomes available offline (once downloaded), and a restart does not queue it again."""
    done = await _hand_off(make_rig, fake, db)
    offline = OfflineLibrary(db, tmp_path / "cache")
    items, total = await offline.items()
    assert (items, total) == ([], 0)
    assert not await offline.is_available(done.item_id)
    assert await offline.available_ids([done.item_id]) == set()
    report = await reconcile(DownloadStore(db), tmp_path / "cache")
    assert report.requeued == 0
    again = await DownloadStore(db).get(done.id)
    assert again is not None and again.status is DownloadStatus.COMPLETED


async def test_the_download_manager_leaves_slskd_rows_alone(tmp_path: Path) -> None:
    from cache.media import MediaCache, MediaSettings
    from cache.slskd.store import NewTransfer

    settings = MediaSettings(
        tmp_path / "state", tmp_path / "cache", tmp_path / "music", demo=False,
        slskd=SlskdSettings(url="http://127.0.0.1:9", poll_idle=60.0),
    )  # fmt: skip
    media = MediaCache(settings)
    await media.start()
    loops = Loops()
    for name, loop in media.loops().items():  # as the service's supervisor runs them
        loops.spawn(name, loop())
    try:
        assert media.slskd is not None
        row = await media.slskd.store.add(NewTransfer("u", "a\\b\\c.flac", 10))
        await media.downloads.gate_changed()  # wakes the manager's scheduler, as any download does
        await asyncio.sleep(0.2)  # give a wrongly started job time to fail the row
        after = await media.slskd.store.get(row.id)
        assert after is not None and after.status is DownloadStatus.PENDING
    finally:
        await loops.close()
        await media.stop()
