"""Every background task is tracked; a critical one that dies ends the service (kvmd's deadly tasks)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from cache.errors import ConfigError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Tracked:
    name: str
    task: asyncio.Task[Any]
    critical: bool


class TaskSupervisor:
    """Starts named tasks, cancels them in reverse order, and reports a critical task's death.

    A critical task must run for the life of the service: its ending (an exception, a return,
    or a cancel that did not come from `stop()`) sets `failed`, and the service exits non-zero
    so systemd restarts it. A non-critical task's exception is logged with its name, nothing more.
    """

    def __init__(self) -> None:
        self._tracked: list[_Tracked] = []
        self._stopping = False
        self.failed = asyncio.Event()
        self.failure: str | None = None
        self.failure_error: BaseException | None = None  # what the first critical task died of

    def spawn(
        self, name: str, coro: Coroutine[Any, Any, Any], *, critical: bool = True
    ) -> asyncio.Task[Any]:
        if self._stopping:
            coro.close()  # a part built while stopping must not outlive the stop
            raise RuntimeError(f"cannot start task {name}: the service is stopping")
        task = asyncio.create_task(coro, name=name)
        self._tracked.append(_Tracked(name, task, critical))
        task.add_done_callback(lambda t: self._done(name, t, critical))
        return task

    @property
    def names(self) -> tuple[str, ...]:
        """The names of the tasks still running, oldest first."""
        return tuple(t.name for t in self._tracked if not t.task.done())

    def _done(self, name: str, task: asyncio.Task[Any], critical: bool) -> None:
        if self._stopping:
            return
        if task.cancelled():
            reason = " was cancelled"
            log.log(
                logging.ERROR if critical else logging.INFO, "background task %s%s", name, reason
            )
        elif (err := task.exception()) is not None:
            reason = f": {err!r}"
            # A config mistake found late (a refused password) explains itself: no traceback.
            trace = None if isinstance(err, ConfigError) else err
            log.error("background task %s died", name, exc_info=trace)
        elif critical:
            reason = " ended"
            log.error("background task %s ended although it should run for good", name)
        else:
            return
        if critical and self.failure is None:
            self.failure = f"{name}{reason}"  # "scheduler: RuntimeError(...)", "player ended"
            self.failure_error = None if task.cancelled() else task.exception()
            self.failed.set()

    async def stop(self, grace: float = 1.0) -> None:
        """Cancel every task, newest first, waiting at most `grace` seconds in all. Idempotent."""
        self._stopping = True
        tasks = [t.task for t in reversed(self._tracked) if not t.task.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            # asyncio.wait, not wait_for(gather): a task that ignores its cancel must not hold
            # the stop for ever (wait_for would wait for the gather's own cancellation).
            _, stubborn = await asyncio.wait(tasks, timeout=grace)
            for task in stubborn:
                log.warning("background task %s did not stop within %g s", task.get_name(), grace)
        self._tracked.clear()
