"""Issue 13 item 8: a completed file damaged in place at the same size is found and fetched again."""

from __future__ import annotations

from cache.downloads import DownloadStatus
from cache.downloads.integrity import FileVerifier
from cache.downloads.paths import absolute
from cache.repairs import Repair
from tests.cache.downloads.conftest import Env, wait_ended
from tests.polling import until


async def test_same_size_damage_is_downloaded_again(env: Env) -> None:
    _album, (good, bad) = env.fake.add_album("Rot", [40_000, 50_000])
    repairs: list[Repair] = []
    manager = env.manager(on_repair=repairs.append)
    await manager.start()
    rows = [(await manager.download_item(t.id))[0] for t in (good, bad)]
    for row in rows:
        await wait_ended(manager, row.id)
    verifier = FileVerifier(env.db, env.cache_dir, manager.redownload)
    assert await verifier.verify_all() == 0  # the first look records the reference hashes
    damaged = absolute(env.cache_dir, rows[1].file_path or "")
    data = bytearray(damaged.read_bytes())
    data[1000:1010] = bytes(10)  # garbled where it lies: the size stays the same
    damaged.write_bytes(bytes(data))
    served = len(env.fake.downloads)

    assert await verifier.verify_all() == 1
    again = await wait_ended(manager, rows[1].id)
    assert again.status == DownloadStatus.COMPLETED
    assert damaged.read_bytes() == bad.data()
    assert absolute(env.cache_dir, rows[0].file_path or "").read_bytes() == good.data()
    assert len(env.fake.downloads) == served + 1
    assert [r.what for r in repairs] == [rows[1].file_path]
    assert "hash mismatch" in repairs[0].problem


async def test_a_file_downloaded_again_gets_a_fresh_reference(env: Env) -> None:
    _album, (track,) = env.fake.add_album("Fresh", [30_000])
    manager = env.manager()
    await manager.start()
    row, _ = await manager.download_item(track.id)
    await wait_ended(manager, row.id)
    verifier = FileVerifier(env.db, env.cache_dir, manager.redownload)
    assert await verifier.verify_all() == 0
    await manager.delete(row.id)
    env.fake.change_file(track.id)  # the server's copy is new: new bytes, same size
    row, _ = await manager.download_item(track.id)
    await until(lambda: absolute(env.cache_dir, row.file_path or "").exists(), tries=1000)
    await wait_ended(manager, row.id)
    assert await verifier.verify_all() == 0  # a new completion, not damage
