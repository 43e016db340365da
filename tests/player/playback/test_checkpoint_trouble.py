"""Issue 13 item 1: a checkpoint that cannot be written degrades (reported, retried), never raises."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from cache.models import Resolved, Track
from cache.reserve import RESERVE_NAME, SpaceReserve
from player.engine.fake import FakeEngine
from player.playback.checkpoint import Checkpointer
from player.playback.controller import PlayerController
from player.playback.state_store import SessionState, StateStore
from tests.polling import until


class NothingPlays:
    async def resolve(self, t: Track) -> Resolved | None:
        return None


class FullCard(StateStore):
    """player.db on a card that refuses the first `failures` saves, as SQLite does when full."""

    failures = 3

    async def save(self, state: SessionState, entries: Sequence[tuple[str, str]] | None) -> None:
        if self.failures:
            self.failures -= 1
            raise sqlite3.OperationalError("database or disk is full")
        await super().save(state, entries)


async def test_failed_saves_are_reported_and_retried(tmp_path: Path) -> None:
    engine = FakeEngine()
    controller = PlayerController(engine, NothingPlays())
    plain = await StateStore.open(tmp_path / "player.db")
    store = FullCard(plain._conn)
    troubles: list[str | None] = []
    checkpointer = Checkpointer(controller, store, 0.02, troubles.append)
    task = asyncio.create_task(checkpointer.run())
    try:
        await until(lambda: troubles[-1:] == [None])
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert len(troubles) == 4 and all("disk is full" in (t or "") for t in troubles[:3])
    assert checkpointer.failing is None
    assert await plain.load() is not None  # the fourth save made it
    store.failures = 1
    await checkpointer.save_final()  # at shutdown: logged, not raised
    await plain.close()
    await engine.shutdown()


def test_the_reserve_is_made_released_and_made_again(tmp_path: Path) -> None:
    reserve = SpaceReserve(tmp_path, size=64 * 1024)
    reserve.settle()
    assert reserve.held and (tmp_path / RESERVE_NAME).stat().st_size == 64 * 1024
    assert reserve.release("a test") and not reserve.held
    assert not reserve.release("again")  # nothing left to give
    reserve.settle()
    assert reserve.held
