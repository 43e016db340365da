"""The downloads running right now: one task per row, with the origin it runs under, so the gate
can stop exactly the ones it blocks. The tasks are children of the scheduler's task group, so
they live and die with `DownloadManager.run()`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from cache.downloads.models import Download, DownloadId, Origin

JobRunner = Callable[[Download], Coroutine[Any, Any, None]]


class Workers:
    """Tasks keyed by download id; `on_done` runs whenever one ends (to fill its slot)."""

    def __init__(self, run: JobRunner, on_done: Callable[[], None]) -> None:
        self._run = run
        self._on_done = on_done
        self._group: asyncio.TaskGroup | None = None
        self._tasks: dict[DownloadId, asyncio.Task[None]] = {}
        self._origins: dict[DownloadId, Origin] = {}

    def __len__(self) -> int:
        return len(self._tasks)

    def __iter__(self) -> Iterator[DownloadId]:
        return iter(list(self._tasks))

    def origins(self) -> list[tuple[DownloadId, Origin]]:
        """Each running download with its origin (a copy: stopping one while iterating is safe)."""
        return list(self._origins.items())

    def attach(self, group: asyncio.TaskGroup | None) -> None:
        """The task group jobs run in (the scheduler's); None when it has ended."""
        self._group = group

    def start(self, row: Download) -> None:
        """Run the download of `row` in a task of its own, in the scheduler's group."""
        if self._group is None:
            raise RuntimeError("downloads run only inside DownloadManager.run()")
        task = self._group.create_task(self._run(row), name=f"download-{row.id}")
        self._tasks[row.id] = task
        self._origins[row.id] = row.origin
        task.add_done_callback(lambda _: self._finished(row.id, task))

    async def stop(self, download_id: int) -> None:
        """Cancel one download's task and wait until it has let go of its files."""
        task = self._forget(DownloadId(download_id))
        if task is not None:
            task.cancel()
            await asyncio.wait([task])

    def _finished(self, download_id: DownloadId, task: asyncio.Task[None]) -> None:
        if self._tasks.get(download_id) is task:
            self._forget(download_id)
        self._on_done()

    def _forget(self, download_id: DownloadId) -> asyncio.Task[None] | None:
        self._origins.pop(download_id, None)
        return self._tasks.pop(download_id, None)
