"""A scan's tag reading in worker processes, its rows streamed back a chunk at a time.

Tag parsing is pure Python and holds the GIL, so threads do not add up; on 2 cores two worker
processes nearly halve a first scan of thousands of files. They are plain `python -m
cache.local.reading` children fed a pickled list of files on stdin (multiprocessing would re-import
the service's __main__ in each, i.e. start the service again), started only for a scan that large
and gone when it ends, so an idle service keeps no extra process resident.

Each child writes a frame (8-byte length, pickled Batch) per chunk of files as it goes, so the
catalogue writes begin while the children still read: the writing overlaps the reading instead of
waiting for the last file. A child that fails leaves its unread chunks to a thread.
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

from cache.local.reading import CHUNK, Batch, read_rows
from cache.local.walk import FileStat

log = logging.getLogger(__name__)

PARALLEL_MIN = 2000  # fewer files than this: a worker's start-up costs more than it saves
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # where `cache` is importable from
# A chunk as it arrived: read in a thread (a Batch) or a child's pickled frame, unpickled only
# when the scan takes it. While the scan writes a batch, frames wait as one bytes object each
# (freed whole) instead of thousands of small row objects that pin Python's arenas afterwards
# (+4 MiB resident after a first scan).
Chunk = Batch | bytes
Put = Callable[[Chunk | None], None]


async def read_files(root: Path, files: Sequence[FileStat], workers: int) -> AsyncIterator[Batch]:
    """The rows (and failures) of `files`, a chunk at a time, as they are read."""
    if workers >= 2 and len(files) >= PARALLEL_MIN:
        async for batch in _from_workers(root, split_by_folder(files, workers)):
            yield batch
        return
    for start in range(0, len(files), CHUNK):
        yield await asyncio.to_thread(read_rows, root, files[start : start + CHUNK])


def split_by_folder(files: Sequence[FileStat], parts: int) -> list[Sequence[FileStat]]:
    """`files` (sorted by path) in about equal parts, each cut where the folder changes, so an
    album's tracks stay in one worker's part (its album row then comes from all of them)."""
    share, cuts, start = -(-len(files) // parts), [], 0
    while start < len(files):
        end = min(len(files), start + share)
        while end < len(files) and _folder(files[end]) == _folder(files[end - 1]):
            end += 1
        cuts.append(files[start:end])
        start = end
    return cuts


def _folder(f: FileStat) -> str:
    return f.relpath.rpartition("/")[0]


async def _from_workers(root: Path, parts: Sequence[Sequence[FileStat]]) -> AsyncIterator[Batch]:
    queue: asyncio.Queue[Chunk | None] = asyncio.Queue()
    async with asyncio.TaskGroup() as group:  # scoped: every worker ends before this returns
        for part in parts:
            group.create_task(_in_worker(root, part, queue.put_nowait))
        left = len(parts)
        while left:
            chunk = await queue.get()
            if chunk is None:  # one worker is done
                left -= 1
            else:  # a child's frame is our own child's answer: trusted to unpickle
                yield pickle.loads(chunk) if isinstance(chunk, bytes) else chunk


async def _in_worker(root: Path, files: Sequence[FileStat], put: Put) -> None:
    """read_rows of `files` in a child process, each chunk `put` as it arrives; what the child
    did not deliver is read in a thread. Puts None at the end, whatever happens."""
    try:
        done = await _child_chunks(root, files, put)
        for start in range(done, len(files), CHUNK):
            put(await asyncio.to_thread(read_rows, root, files[start : start + CHUNK]))
    finally:
        put(None)


async def _child_chunks(root: Path, files: Sequence[FileStat], put: Put) -> int:
    """How many of `files` the child read (whole chunks, in order)."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([_PACKAGE_ROOT, os.environ.get("PYTHONPATH", "")]),
    }
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "cache.local.reading",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env,
        )  # fmt: skip
    except OSError as err:
        log.warning("cannot start a tag reader process (%s); reading in this process", err)
        return 0
    done = 0
    try:
        assert proc.stdin is not None and proc.stdout is not None
        # Three plain columns, made in C: pickling 20,000 NamedTuples goes through Python code
        # for each one (so did turning each into a tuple: 40 ms of the service's main thread).
        proc.stdin.write(pickle.dumps((str(root), *zip(*files, strict=True))))
        await proc.stdin.drain()
        proc.stdin.close()
        while done < len(files):
            size = int.from_bytes(await proc.stdout.readexactly(8), "big")
            put(await proc.stdout.readexactly(size))
            done += CHUNK
        await proc.wait()
    except (OSError, asyncio.IncompleteReadError) as err:
        log.warning("tag reader process failed (%s); reading the rest in this process", err)
    finally:
        if proc.returncode is None:  # failed or cancelled mid-scan: no orphan keeps reading
            proc.kill()
            await proc.wait()
    return min(done, len(files))
