"""Run cache/'s long-running loops in tests the way the service's supervisor does: as named tasks,
cancelled (and awaited) at the end."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


class Loops:
    """Named tasks for `run()` coroutines; `close()` cancels them, newest first."""

    def __init__(self) -> None:
        self._tasks: list[asyncio.Task[Any]] = []

    def spawn(self, name: str, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro, name=name)
        self._tasks.append(task)
        return task

    async def close(self) -> None:
        tasks, self._tasks = self._tasks[::-1], []
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        crashed = [e for e in errors if not isinstance(e, asyncio.CancelledError)]
        assert not crashed, f"a loop died: {crashed!r}"
