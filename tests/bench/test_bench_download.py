"""Download throughput and CPU per GiB: tapedeck's worker against `curl -o`, same file, loopback.

The fake Jellyfin serves one generated 1 GiB file from a process of its own, so neither client
shares a core with the server's Python. Prints the figures side by side; asserts only correctness.
Aim (issue 3): throughput at least 0.9x curl's, CPU at most 2x curl's.
Set TAPEDECK_BENCH_BYTES to change the size.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from cache.db import open_db
from cache.downloads import Download, DownloadManager, DownloadStatus
from cache.downloads.paths import absolute
from cache.jellyfin import JellyfinClient, JellyfinConfig, JellyfinState
from cache.jellyfin.auth import ClientIdentity, auth_header
from cache.schema import MIGRATIONS
from tests.fakes.jellyfin import content
from tests.polling import until
from tests.running import Loops

ROOT = Path(__file__).resolve().parents[2]
SIZE = int(os.environ.get("TAPEDECK_BENCH_BYTES", str(1 << 30)))
GIB = 1 << 30
MIB = 1 << 20

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


@pytest.fixture
def server() -> Iterator[dict[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.jellyfin", "--size", str(SIZE)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        info: dict[str, str] = json.loads(proc.stdout.readline())
        yield info
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _check(path: Path, seed: int) -> None:
    assert path.stat().st_size == SIZE
    with path.open("rb") as fh:
        for offset in (0, SIZE // 2, max(0, SIZE - MIB)):
            fh.seek(offset)
            assert fh.read(MIB) == content(seed, offset, min(MIB, SIZE - offset))


def _run_curl(info: dict[str, str], out: Path) -> tuple[float, float]:
    header = auth_header(ClientIdentity("bench", "bench", "bench", "1"), info["token"])
    url = f"{info['url']}/Items/{info['item_id']}/Download"
    cpu, start = _children_cpu(), time.perf_counter()
    subprocess.run(
        ["curl", "-s", "-f", "-o", str(out), "-H", f"Authorization: {header}", url], check=True
    )
    return time.perf_counter() - start, _children_cpu() - cpu


async def _run_tapedeck(info: dict[str, str], tmp: Path) -> tuple[float, float, Path]:
    db = await open_db(tmp / "cache.db", MIGRATIONS)
    async with aiohttp.ClientSession() as session:
        config = JellyfinConfig(info["url"], api_key=info["token"])
        client = JellyfinClient(config, JellyfinState(tmp / "state"), session)
        manager = DownloadManager(db, tmp / "cache", {"jellyfin": client}, session=session)
        wall, used, done = await time_one_download(manager, info["item_id"])
    await db.close()
    return wall, used, absolute(tmp / "cache", done.file_path or "")


async def time_one_download(
    manager: DownloadManager, item_id: str
) -> tuple[float, float, Download]:
    """Start `manager` with its scheduler, download `item_id` alone and stop it again: the wall
    and the CPU seconds (this process) from the request to the completed row, and the row."""
    await manager.start()
    loops = Loops()
    loops.spawn("downloads-scheduler", manager.run())
    try:
        cpu, start = time.process_time(), time.perf_counter()
        queued, _ = await manager.download_item(item_id)
        done = await _wait_completed(manager, queued.id)
        wall, used = time.perf_counter() - start, time.process_time() - cpu
    finally:
        await loops.close()
    assert done.status == DownloadStatus.COMPLETED, done.error_message
    return wall, used, done


async def _wait_completed(manager: DownloadManager, download_id: int) -> Download:
    async def finished() -> Download | None:
        row = await manager.get(download_id)
        return row if row.status in (DownloadStatus.COMPLETED, DownloadStatus.FAILED) else None

    # bounded: 10 minutes at most
    return await until(finished, tries=6000, step=0.1, what="download did not finish")


async def test_bench_download_vs_curl(server: dict[str, str], tmp_path: Path) -> None:
    seed = int(server["seed"])
    # Each run starts with no dirty pages, else the second writer pays for the first one's writeback.
    curl_out = tmp_path / "curl.bin"
    os.sync()
    curl_wall, curl_cpu = _run_curl(server, curl_out)
    _check(curl_out, seed)
    curl_out.unlink()
    os.sync()
    td_wall, td_cpu, td_file = await _run_tapedeck(server, tmp_path)
    _check(td_file, seed)
    td_file.unlink()
    gib = SIZE / GIB
    rows = [
        ("curl", SIZE / MIB / curl_wall, curl_cpu / gib),
        ("tapedeck", SIZE / MIB / td_wall, td_cpu / gib),
    ]
    print(f"\ndownload of {SIZE / MIB:.0f} MiB on loopback")
    print(f"{'client':<10}{'MiB/s':>10}{'CPU s/GiB':>12}")
    for name, rate, cpu in rows:
        print(f"{name:<10}{rate:>10.1f}{cpu:>12.2f}")
    print(
        f"tapedeck/curl: throughput {rows[1][1] / rows[0][1]:.2f}x (aim >= 0.9), "
        f"CPU {rows[1][2] / max(rows[0][2], 1e-9):.2f}x (aim <= 2)"
    )
