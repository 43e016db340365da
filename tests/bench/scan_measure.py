"""The scanner alone, for quick iteration: `python -m tests.bench.scan_measure [runs]`.

Each run scans the bench's cached 20,000-file library (tests/bench/scale_library.py) into a fresh
cache.db, then rescans it, and prints the files/s, the bytes written (/proc/self/io) and the CPU of
this process and of its children (the tag readers): the CPU figures move less with the machine's
load than the times do. test_bench_scale.py's rows are the reference; this takes seconds, not
minutes.
"""

from __future__ import annotations

import asyncio
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from cache.catalogue import Catalogue
from cache.db import open_db
from cache.local.scanner import Scanner, ScanSummary
from cache.schema import MIGRATIONS
from tests.bench.scale_library import library
from tests.bench.scale_probes import MIB, write_bytes

FILES = 20_000
_WHO = (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)


def _cpu() -> list[float]:
    return [(u := resource.getrusage(who)).ru_utime + u.ru_stime for who in _WHO]


async def _timed(scanner: Scanner) -> tuple[float, int, list[float], ScanSummary]:
    """(seconds, bytes written, [CPU here, CPU of children], summary) of one scan."""
    written, cpu, started = write_bytes(), _cpu(), time.perf_counter()
    summary = await scanner.scan()
    seconds = time.perf_counter() - started
    return (
        seconds,
        write_bytes() - written,
        [b - a for a, b in zip(cpu, _cpu(), strict=True)],
        summary,
    )


async def _run(music: Path, folder: Path) -> str:
    conn = await open_db(folder / "cache.db", MIGRATIONS)
    try:
        scanner = Scanner(Catalogue(conn), music)
        first, first_w, first_cpu, summary = await _timed(scanner)
        again, again_w, again_cpu, _ = await _timed(scanner)
    finally:
        await conn.close()
    return (
        f"first {first:.3f} s ({summary.added / first:,.0f} files/s), {first_w / MIB:.1f} MiB"
        f" written, CPU {first_cpu[0]:.2f} s + readers {first_cpu[1]:.2f} s"
        f" | rescan {again:.3f} s, {again_w / MIB:.2f} MiB written, CPU {again_cpu[0]:.2f} s"
    )


def main(runs: int) -> None:
    music = library(FILES) / "music"
    for _ in range(runs):
        load = Path("/proc/loadavg").read_text().split()[0]
        folder = Path(tempfile.mkdtemp(prefix="tapedeck-scan-"))
        try:
            print(f"load {load}: {asyncio.run(_run(music, folder))}", flush=True)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
