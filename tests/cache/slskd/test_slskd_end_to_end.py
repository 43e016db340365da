"""Search → candidates → enqueue → the running tracker follows it → the file lands in the cache."""

from __future__ import annotations

from pathlib import Path

from cache.db import open_db
from cache.downloads import DownloadEvent, DownloadStatus
from cache.schema import MIGRATIONS
from cache.slskd.candidates import rank_candidates
from cache.slskd.client import SlskdClient
from cache.slskd.events import TrackerConfig
from cache.slskd.sqlite_store import SqliteStore
from cache.slskd.tracker import Tracker
from cache.slskd.wire import FileRequest
from tests.cache.slskd.conftest import FILES
from tests.fakes.slskd import FakeSlskd, Peer
from tests.polling import until
from tests.running import Loops


async def test_search_enqueue_track_land(
    client: SlskdClient, fake: FakeSlskd, downloads_dir: Path, tmp_path: Path
) -> None:
    fake.add_peer(Peer("lossy", {k.replace(".flac", ".mp3"): v for k, v in FILES.items()},
                       bit_rates={k.replace(".flac", ".mp3"): 192 for k in FILES}))  # fmt: skip
    fake.auto_advance = True  # every listing moves each transfer one step
    conn = await open_db(tmp_path / "state" / "cache.db", MIGRATIONS)
    store = SqliteStore(conn)
    events: list[DownloadEvent] = []
    config = TrackerConfig(
        active_interval=0.01, idle_interval=0.05, cleanup_interval=0.0,
        downloads_dir=downloads_dir, cache_dir=tmp_path / "cache",
    )  # fmt: skip
    tracker = Tracker(client, store, config, on_event=events.append)
    loops = Loops()
    loops.spawn("slskd-tracker", tracker.run())
    try:
        search = await client.start_search("vulgar display")
        await client.wait_search(search.id, interval=0.01, max_polls=50)
        candidates = rank_candidates(await client.search_responses(search.id), expected_files=2)
        best = candidates[0]
        assert (best.username, len(best.files)) == ("peer one", 2)  # lossless beats 192 kbps
        files = [FileRequest(f.filename, f.size) for f in best.files]
        outcome = await tracker.enqueue(best.username, files)
        assert len(outcome.downloads) == 2

        async def all_done() -> bool:
            rows = [await store.get(r.id) for r in outcome.downloads]
            return all(r is not None and r.status is DownloadStatus.COMPLETED for r in rows)

        await until(all_done, tries=300)
        for r in outcome.downloads:
            row = await store.get(r.id)
            assert row is not None and row.file_path is not None
            assert (tmp_path / "cache" / row.file_path).read_bytes() == FILES[row.remote_filename]
        kinds = [str(e.kind) for e in events]
        assert kinds.count("completed") == 2 and kinds.count("started") == 2
        await until(lambda: _cleared(fake), tries=200)
    finally:
        await loops.close()
        await conn.close()


async def _cleared(fake: FakeSlskd) -> bool:
    return all(t.removed for t in fake.transfers.values())
