"""Download throughput and CPU per GiB from a real supysonic: tapedeck's worker (through the
Subsonic source: `download?id=`, the resumable verified path) against `curl -o`, same server, same
file, loopback. Also the server's own CPU per GiB for each, read from /proc.

supysonic (waitress, its own venv and process) serves one generated FLAC of noise; the default is
256 MiB (TAPEDECK_BENCH_SUBSONIC_BYTES changes it: the file is made by ffmpeg, about 6 MiB a
second of CPU). Prints the figures side by side; asserts only that both copies are the file.
"""

from __future__ import annotations

import asyncio
import filecmp
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from cache.db import open_db
from cache.downloads import DownloadManager
from cache.downloads.paths import absolute
from cache.schema import MIGRATIONS
from cache.subsonic import SubsonicConfig
from cache.subsonic.catalogue import sync_catalogue
from cache.subsonic.client import SubsonicClient
from cache.subsonic.source import SubsonicSource
from tests.bench.test_bench_download import _children_cpu, time_one_download
from tests.integration.supysonic import Supysonic, supysonic_bin

SIZE = int(os.environ.get("TAPEDECK_BENCH_SUBSONIC_BYTES", str(256 << 20)))
GIB, MIB = 1 << 30, 1 << 20
USER, PASSWORD = "bench", "bench"
FLAC_BYTES_PER_SECOND = 176_000  # noise hardly compresses: about the WAV rate

pytestmark = pytest.mark.skipif(supysonic_bin() is None, reason="no .venv-supysonic")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Supysonic]:
    supy = Supysonic(tmp_path / "supysonic")
    supy.add_track("Bench", "Big", 1, "Noise", seconds=SIZE / FLAC_BYTES_PER_SECOND, noise=True)
    supy.setup(USER, PASSWORD)
    supy.start()
    try:
        yield supy
    finally:
        supy.stop()


def server_cpu(supy: Supysonic) -> float:
    """User + system seconds the server process has used."""
    fields = Path(f"/proc/{supy.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def song_id(supy: Supysonic) -> str:
    ((track_id,),) = supy.query("SELECT id FROM track")
    return str(uuid.UUID(str(track_id)))  # kept as 32 hex digits, served in the dashed form


def run_curl(supy: Supysonic, out: Path) -> tuple[float, float]:
    query = f"u={USER}&p={PASSWORD}&c=bench&v=1.12.0&f=json&id={song_id(supy)}"
    cpu, start = _children_cpu(), time.perf_counter()
    subprocess.run(["curl", "-s", "-f", "-o", str(out), f"{supy.url}/rest/download?{query}"],
                   check=True)  # fmt: skip
    return time.perf_counter() - start, _children_cpu() - cpu


async def run_tapedeck(supy: Supysonic, tmp: Path) -> tuple[float, float, Path]:
    db = await open_db(tmp / "cache.db", MIGRATIONS)
    async with aiohttp.ClientSession() as session:
        client = SubsonicClient(SubsonicConfig(supy.url, USER, PASSWORD), session)
        await sync_catalogue(client, db)
        source = SubsonicSource(client, db)
        manager = DownloadManager(db, tmp / "cache", {"subsonic": source}, session=session)
        wall, used, done = await time_one_download(manager, "s-" + song_id(supy))
    await db.close()
    return wall, used, absolute(tmp / "cache", done.file_path or "")


async def test_bench_download_from_supysonic_vs_curl(server: Supysonic, tmp_path: Path) -> None:
    original = server.tracks[0].path
    size = original.stat().st_size
    curl_out = tmp_path / "curl.flac"
    os.sync()
    before = server_cpu(server)
    curl_wall, curl_cpu = await asyncio.to_thread(run_curl, server, curl_out)
    curl_server = server_cpu(server) - before
    assert filecmp.cmp(curl_out, original, shallow=False)
    curl_out.unlink()
    os.sync()
    before = server_cpu(server)
    td_wall, td_cpu, td_file = await run_tapedeck(server, tmp_path)
    td_server = server_cpu(server) - before
    assert filecmp.cmp(td_file, original, shallow=False)
    gib = size / GIB
    print(f"\ndownload of {size / MIB:.0f} MiB from supysonic 0.7.9 (waitress) on loopback")
    print(f"{'client':<10}{'MiB/s':>10}{'CPU s/GiB':>12}{'server CPU s/GiB':>18}")
    for name, wall, cpu, srv in (("curl", curl_wall, curl_cpu, curl_server),
                                 ("tapedeck", td_wall, td_cpu, td_server)):  # fmt: skip
        print(f"{name:<10}{size / MIB / wall:>10.1f}{cpu / gib:>12.2f}{srv / gib:>18.2f}")
    print(f"tapedeck/curl: throughput {curl_wall / td_wall:.2f}x, "
          f"CPU {td_cpu / max(curl_cpu, 1e-9):.2f}x")  # fmt: skip
