"""`python -m tests.integration.dying_task --config PATH`: the real service, except that the
supervised task named by $TAPEDECK_DYING_TASK raises once the file $TAPEDECK_DYING_TRIGGER exists.

Only the named task's coroutine is wrapped; everything else is `python -m player` as shipped.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from player.cli.main import main
from player.system.tasks import TaskSupervisor

INJECTED = "injected failure"


class InjectedFailureError(RuntimeError):
    """What the chosen task dies of."""


async def _dies_on_trigger(work: Coroutine[Any, Any, Any], trigger: Path) -> None:
    running = asyncio.ensure_future(work)
    try:
        for _ in range(6000):  # bounded: one minute
            if await asyncio.to_thread(trigger.exists):
                raise InjectedFailureError(INJECTED)
            await asyncio.sleep(0.01)
    finally:
        running.cancel()


def _install(name: str, trigger: Path) -> None:
    spawn = TaskSupervisor.spawn

    def spawn_with_failure(
        self: TaskSupervisor, task: str, coro: Coroutine[Any, Any, Any], *, critical: bool = True
    ) -> asyncio.Task[Any]:
        if task == name:
            coro = _dies_on_trigger(coro, trigger)
        return spawn(self, task, coro, critical=critical)

    TaskSupervisor.spawn = spawn_with_failure  # type: ignore[method-assign]


if __name__ == "__main__":
    _install(os.environ["TAPEDECK_DYING_TASK"], Path(os.environ["TAPEDECK_DYING_TRIGGER"]))
    sys.exit(main(["serve", *sys.argv[1:]]))
