"""The room role: a real `snapclient` run and kept running, its connection state told to the page."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence

from cache.snapcast.rooms import LocalClient
from cache.timeouts import within
from player.snapcast.settings import SnapcastConfig

log = logging.getLogger(__name__)


def snapclient_args(config: SnapcastConfig, host_id: str) -> list[str]:
    """The command line of the room's snapclient."""
    args = [
        config.snapclient,
        "-h", config.server,
        "-p", str(config.stream_port),
        "--hostID", host_id,
        "--latency", str(config.latency),
        "--logsink", "stderr",
    ]  # fmt: skip
    if config.player:
        args += ["--player", config.player]
    return args


class SnapclientRunner:
    """Runs snapclient for as long as `run()` runs; a snapclient that exits is started again after
    a pause that grows (bounded), so a missing binary or a bad flag never makes a busy loop."""

    def __init__(
        self,
        args: Sequence[str],
        delays: Sequence[float] = (1.0, 2.0, 5.0),
        on_change: Callable[[LocalClient], None] = lambda state: None,
    ) -> None:
        self._args = list(args)
        self._delays = tuple(delays)
        self._on_change = on_change  # the page shows whether the room's snapclient runs

    async def run(self) -> None:
        failures = 0
        while True:
            returncode = await self._run_once()
            log.warning("snapclient ended (%s); starting it again", returncode)
            self._on_change(LocalClient(False, _ended(returncode)))
            await asyncio.sleep(self._delays[min(failures, len(self._delays) - 1)])
            failures += 1

    async def _run_once(self) -> int | str:
        try:
            process = await asyncio.create_subprocess_exec(
                *self._args,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
        except OSError as err:
            return f"cannot start: {err.strerror}"
        self._on_change(LocalClient(True))
        try:
            return await process.wait()
        finally:
            if process.returncode is None:
                await _stop(process)


def _ended(returncode: int | str) -> str:
    """Why the room's snapclient is not running, for the person."""
    if isinstance(returncode, str):
        return f"snapclient {returncode}; trying again"
    return f"snapclient stopped (exit status {returncode}); starting it again"


async def _stop(process: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        await within(process.wait(), 5.0)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
