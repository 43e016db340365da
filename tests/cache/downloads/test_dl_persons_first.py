"""A person's download comes first (cache/gate.py), on the device's scheduler and in the
simulator's alike: it starts before the waiting automatic copies, none of them takes the room it
needs, and running ones that would are put back in the queue. The disk is the cache directory
on a card of `CAP` bytes: what the gate reads is what the downloads really wrote, so nothing here
hangs on timing (the race once seen in CI: the floor lifted with a queue in place)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from cache import gate
from cache.disk import directory_bytes
from cache.downloads import Download, DownloadManager, DownloadStatus, Origin
from cache.executor import TOP_PRIORITY
from cache.gate import DATABASE_ROOM
from cache.jellyfin import sync_catalogue
from cache.models import AlbumId, ItemId
from cache.planner import CacheConfig, DiskState, NetState, NetworkKind
from cache.planner.snapshot import Item
from cache.precache.gate import DeviceGate
from cache.simulate.downloader import SimDownloader
from cache.simulate.transfers import Disk
from tests.cache.downloads.conftest import FAST, Env, wait_ended
from tests.polling import until

U = 64 * 1024  # the fake server's throttled piece
WIFI = NetState(NetworkKind.WIFI)
HELD = CacheConfig(storage_limit=10**12, min_free_bytes=10**12)  # the floor holds everything


@dataclass
class Card:
    """A card of `cap` bytes beside the databases' room, holding the cache directory; `config` is
    the settings in force."""

    env: Env
    cap: int
    config: CacheConfig = HELD

    def disk(self) -> DiskState:
        used = directory_bytes(self.env.cache_dir) if self.env.cache_dir.exists() else 0
        return DiskState(used, DATABASE_ROOM + self.cap - used)

    def gate(self) -> DeviceGate:
        return DeviceGate(lambda: WIFI, self.disk, self.disk, lambda: self.config)


async def queue_copies(manager: DownloadManager, item_ids: list[str]) -> list[Download]:
    """The pre-cacher's copies, in plan order (so at the executor's priorities)."""
    rows = []
    for n, item_id in enumerate(item_ids):
        row, _ = await manager.download_item(item_id, origin=Origin.AUTO, priority=TOP_PRIORITY - n)
        rows.append(row)
    return rows


async def statuses(manager: DownloadManager, rows: list[Download]) -> list[DownloadStatus]:
    return [(await manager.get(r.id)).status for r in rows]


async def test_lifting_the_floor_with_a_queue_in_place_starts_the_persons_download_first(
    env: Env,
) -> None:
    _album, (a1, a2, big) = env.fake.add_album("Next", [5 * U, 5 * U, 9 * U])
    await sync_catalogue(env.client, env.db)  # the rows know their sizes
    card = Card(env, cap=13 * U)  # room for the person's 9 or for the two copies' 10, not both
    manager = env.manager()
    manager.set_gate(card.gate())
    await manager.start()
    autos = await queue_copies(manager, [a1.id, a2.id])
    person, _ = await manager.download_item(big.id)

    card.config = replace(HELD, min_free_bytes=0)
    await manager.gate_changed()
    assert (await wait_ended(manager, person.id)).status == DownloadStatus.COMPLETED
    await manager.gate_changed()  # another turn: the copies still do not fit what is left
    assert await statuses(manager, autos) == [DownloadStatus.PENDING] * 2
    assert [r.item_id for r in env.fake.downloads] == [big.id]

    # the simulator's downloader makes the same decision over the same requests
    sim = simulated(card.config)
    for n, item_id in enumerate([a1.id, a2.id]):
        sim.request(track(item_id, 5 * U), Origin.AUTO, TOP_PRIORITY - n)
    sim.request(track(big.id, 9 * U), Origin.USER)
    sim.schedule(gate.Conditions(WIFI, DiskState(0, DATABASE_ROOM + 13 * U)), now=0.0)
    assert sim.disk.running == [big.id]


async def test_running_automatic_copies_make_room_for_a_persons_download(env: Env) -> None:
    _album, (a1, a2, big) = env.fake.add_album("Crowded", [8 * U, 8 * U, 14 * U])
    await sync_catalogue(env.client, env.db)
    card = Card(env, cap=22 * U, config=replace(HELD, min_free_bytes=0))
    env.fake.rate = U  # bytes/s: the copies are still running when the person asks
    manager = env.manager(config=replace(FAST, read_timeout=10.0))  # a piece a second is no stall
    manager.set_gate(card.gate())
    await manager.start()
    autos = await queue_copies(manager, [a1.id, a2.id])

    async def both_writing() -> bool:
        got = [await manager.get(r.id) for r in autos]
        return all(r.status == DownloadStatus.DOWNLOADING and r.bytes_downloaded > 0 for r in got)

    await until(both_writing, tries=1000)
    person, _ = await manager.download_item(big.id)  # 14 U: it fits only if the copies stop

    async def put_back() -> bool:
        return await statuses(manager, autos) == [DownloadStatus.PENDING] * 2

    await until(put_back, tries=1000)
    env.fake.rate = None
    assert (await wait_ended(manager, person.id)).status == DownloadStatus.COMPLETED
    assert await statuses(manager, autos) == [DownloadStatus.PENDING] * 2  # still no room for them
    kept = [await manager.get(r.id) for r in autos]
    assert all(r.bytes_downloaded > 0 for r in kept)  # their part files stay for a resume

    # the simulator's downloader stops the same copies for the same person's download
    sim = simulated(card.config)
    for n, item_id in enumerate([a1.id, a2.id]):
        sim.request(track(item_id, 8 * U), Origin.AUTO, TOP_PRIORITY - n)
    sim.schedule(gate.Conditions(WIFI, DiskState(0, DATABASE_ROOM + 22 * U)), now=0.0)
    assert sim.disk.running == [a1.id, a2.id]
    sim.disk.advance(1.0, 2 * U)
    sim.request(track(big.id, 14 * U), Origin.USER)
    sim.schedule(gate.Conditions(WIFI, DiskState(2 * U, DATABASE_ROOM + 20 * U)), now=1.0)
    assert sim.disk.running == [big.id]


def track(item_id: str, size: int) -> Item:
    return Item(ItemId(item_id), AlbumId("album"), size, 60.0)


def simulated(config: CacheConfig) -> SimDownloader:
    tracks: dict[ItemId, Item] = {}
    return SimDownloader(Disk(), config, tracks.__getitem__, lambda _i, _f: None)
