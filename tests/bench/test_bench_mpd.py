"""MPD round trips with a 2,000-entry queue, tapedeck next to Debian's mpd on the same music.

Prints figures (median and 95th percentile of `status`, `plchanges` after one move, and the
whole-queue `plchanges 0`); asserts only that each measurement happened. Run with -s.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from tests.mpd.conftest import (
    RawClient,
    RealMpd,
    mpd_port,
    needs_mpd,
    start_scanned,
    tapedeck_service,
)
from tests.mpd.music import make_music

pytestmark = [needs_mpd]
QUEUE = 2000
ROUNDS = 200


def _fill(client: RawClient) -> str:
    client.command("clear")
    adds = 'add ""\n' * (QUEUE // 8)  # the folder holds 8 songs
    assert client.command(f"command_list_begin\n{adds}command_list_end") == ["OK"]
    status = dict(line.split(": ", 1) for line in client.command("status")[:-1])
    assert status["playlistlength"] == str(QUEUE)
    assert client.command("move 100 101") == ["OK"]
    return status["playlist"]


def _times(client: RawClient, command: str, rounds: int = ROUNDS) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        answer = client.command(command)
        times.append(time.perf_counter() - started)
        assert answer[-1] == "OK"
    return times


def _figures(port: int) -> dict[str, list[float]]:
    client = RawClient(port)
    try:
        version = _fill(client)
        return {
            "status": _times(client, "status"),
            "plchanges after one move": _times(client, f"plchanges {version}"),
            "plchanges 0 (whole queue)": _times(client, "plchanges 0", 20),
        }
    finally:
        client.close()


def _ms(times: list[float]) -> str:
    p95 = statistics.quantiles(times, n=20)[18]
    return f"{statistics.median(times) * 1000:7.2f} / {p95 * 1000:7.2f}"


def test_bench_mpd_round_trips(tmp_path: Path) -> None:
    music = make_music(tmp_path / "music")
    real = RealMpd(tmp_path / "real", music)
    service = tapedeck_service(tmp_path / "deck", music)
    try:
        start_scanned(service)
        ours, theirs = _figures(mpd_port(service)), _figures(real.port)
    finally:
        service.stop()
        real.stop()
    print(f"\nMPD round trips, {QUEUE}-entry queue   median / p95 (ms)")
    print("command                          tapedeck              mpd 0.23")
    for name in ours:
        print(f"{name:30}  {_ms(ours[name])}   {_ms(theirs[name])}")
    assert all(ours.values()) and all(theirs.values())
