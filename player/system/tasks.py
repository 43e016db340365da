"""Every background task is tracked; a critical one that dies ends the service (kvmd's deadly tasks)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class TaskSupervisor:
    """Starts named tasks, cancels them in reverse order, and reports a critical task's death."""

    def __init__(self) -> None:
        self._tasks: list[tuple[str, asyncio.Task[Any], bool]] = []
        self.failed = asyncio.Event()
        self.failure: str | None = None

    def spawn(
        self, name: str, coro: Coroutine[Any, Any, Any], *, critical: bool = True
    ) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro, name=name)
        self._tasks.append((name, task, critical))
        task.add_done_callback(lambda t: self._done(name, t, critical))
        return task

    def _done(self, name: str, task: asyncio.Task[Any], critical: bool) -> None:
        if task.cancelled():
            return
        err = task.exception()
        if err is not None:
            log.error("background task %s died", name, exc_info=err)
        elif critical:
            log.error("background task %s ended although it should run for good", name)
        else:
            return
        if critical and self.failure is None:
            self.failure = f"{name}: {err!r}" if err else f"{name} ended"
            self.failed.set()

    async def stop(self, grace: float = 1.0) -> None:
        """Cancel every task, newest first, waiting at most `grace` seconds for each group."""
        tasks = [t for _, t, _ in reversed(self._tasks) if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), grace)
        self._tasks.clear()
