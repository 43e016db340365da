"""Start-up time to READY=1 and resident memory, next to bare `mpv` playing the same file.

Prints figures; asserts only that each measurement happened. Run with `make bench` (or -s).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.integration.notify import NotifyListener, start_service
from tests.integration.service import ServiceProcess

pytestmark = pytest.mark.skipif(shutil.which("mpv") is None, reason="bare mpv is the reference")
REPO = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024


@pytest.fixture
def deck(tmp_path: Path) -> Iterator[ServiceProcess]:
    service = ServiceProcess(tmp_path / "deck")
    service.write_config()
    yield service
    if service.running:
        service.stop()


def _start_until_ready(
    deck: ServiceProcess, sock_path: Path
) -> tuple[subprocess.Popen[bytes], float]:
    listener = NotifyListener(sock_path)
    started = time.perf_counter()
    proc = start_service(deck.config_path, sock_path)
    try:
        ready = listener.wait_for("READY=1")
    finally:
        listener.close()
    return proc, ready - started


def _rss(pid: int) -> int:
    return int(psutil.Process(pid).memory_info().rss)


def _service_figures(deck: ServiceProcess, tmp_path: Path) -> tuple[list[float], int, int, Path]:
    times = []
    for _ in range(3):
        proc, seconds = _start_until_ready(deck, tmp_path / "notify.sock")
        times.append(seconds)
        deck.process = proc
        deck.wait_healthy(30)
        deck.wait_until(lambda: deck.api("GET", "/library/albums")["total"] > 0, 30)
        time.sleep(2)
        idle = _rss(proc.pid)
        album = deck.api("GET", "/library/albums")["items"][0]["id"]
        deck.api("POST", "/queue", {"album_id": album, "mode": "replace", "play": True})
        time.sleep(3)
        playing = _rss(proc.pid)
        deck.stop()
    files = sorted(deck.music_dir.rglob("*.wav"))
    return times, idle, playing, files[0]


def _bare_mpv_rss(path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    proc = subprocess.Popen(
        ["mpv", "--no-config", "--no-video", "--ao=null", "--loop-file=inf", "--really-quiet", str(path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        time.sleep(3)
        return time.perf_counter() - started, _rss(proc.pid)
    finally:
        proc.terminate()
        proc.wait(5)


def test_startup_and_memory(deck: ServiceProcess, tmp_path: Path) -> None:
    times, idle, playing, sample = _service_figures(deck, tmp_path)
    _, mpv_rss = _bare_mpv_rss(sample)
    print()
    print("figure                              tapedeck     bare mpv")
    print(f"process start -> READY=1 (median)   {statistics.median(times):7.3f} s   (no READY)")
    print(f"  each run                          {', '.join(f'{t:.3f}' for t in times)} s")
    print(f"resident memory, idle               {idle / MIB:7.1f} MiB  —")
    print(f"resident memory, playing            {playing / MIB:7.1f} MiB  {mpv_rss / MIB:7.1f} MiB")
    print(
        f"difference while playing            {(playing - mpv_rss) / MIB:+7.1f} MiB (aim: within 30 MiB)"
    )
    print("targets: READY within 1.0 s; playing RSS within 30 MB of bare mpv's")
    assert times and idle > 0 and playing > 0 and mpv_rss > 0
