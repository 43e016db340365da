"""The Checkpointer over a real player.db: a change is written at once (coalesced), playback
moving on only every interval; the saved session resumes where it was, rewound and capped."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from pathlib import Path

from cache.models import PlayingFrom, Resolved, Track
from player.config_sections import PlayerConfig
from player.engine.fake import FakeEngine
from player.playback import commands as c
from player.playback.checkpoint import Checkpointer, resume_command
from player.playback.controller import PlayerController
from player.playback.state_store import SessionState, StateStore
from tests.builders import make_track


class LocalResolver:
    async def resolve(self, track: Track) -> Resolved:
        return Resolved(f"/music/{track.id}", PlayingFrom.LOCAL)


TRACKS = tuple(make_track(f"t{n}", duration=60.0, number=n) for n in range(1, 4))


async def test_changes_are_saved_and_resume_where_they_were(tmp_path: Path) -> None:
    engine = FakeEngine(speed=1.0, default_duration=60.0, position_interval=0.05)
    controller = PlayerController(engine, LocalResolver(), volume=80)
    store = await StateStore.open(tmp_path / "player.db")
    checkpointer = Checkpointer(controller, store, interval=60.0)
    tasks = [asyncio.create_task(controller.run()), asyncio.create_task(checkpointer.run())]
    try:
        await controller.submit(c.QueueAdd(TRACKS, c.QueueMode.REPLACE, start_index=1, play=True))
        await controller.submit(c.Seek(30.0))

        async def saved_at_30() -> bool:
            saved = await store.load()
            return saved is not None and saved.state.position >= 30.0

        for _ in range(300):  # bounded: the seek is written within a coalescing pause
            if await saved_at_30():
                break
            await asyncio.sleep(0.01)
        saved = await store.load()
        assert saved is not None
        assert [item for _, item in saved.entries] == ["t1", "t2", "t3"]
        assert (saved.state.queue_index, saved.state.state, saved.state.volume) == (
            1,
            "playing",
            80,
        )
        command = resume_command(
            saved, TRACKS, PlayerConfig(resume_rewind=3.0, startup_volume_max=60)
        )
        assert command is not None and command.start is c.PlayState.PLAYING
        assert command.index == 1 and 26.5 <= command.position <= 28.0
        assert command.volume == 60  # capped when resuming
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await engine.shutdown()
        await store.close()


class CountingStore(StateStore):
    """A real player.db that also notes which saves rewrote the queue's rows."""

    rewrites: int = 0

    async def save(self, state: SessionState, entries: Sequence[tuple[str, str]] | None) -> None:
        self.rewrites += entries is not None
        await super().save(state, entries)


async def test_a_track_change_saves_the_index_without_rewriting_the_queue(tmp_path: Path) -> None:
    controller = PlayerController(FakeEngine(default_duration=60.0), LocalResolver())
    store = await CountingStore.open(tmp_path / "player.db")
    assert isinstance(store, CountingStore)
    checkpointer = Checkpointer(controller, store, interval=60.0)
    task = asyncio.create_task(controller.run())
    try:
        await controller.submit(c.QueueAdd(TRACKS, c.QueueMode.REPLACE, play=True))
        await checkpointer.save_now()
        await controller.submit(c.Next())
        await checkpointer.save_now()
        saved = await store.load()
        assert saved is not None and saved.state.queue_index == 1
        assert saved.state.queue_version == controller.queue.version
        assert [item for _, item in saved.entries] == ["t1", "t2", "t3"]
        assert store.rewrites == 1  # the add; the next moved the index alone
        await controller.submit(c.QueueMove(controller.queue.entries[0].entry_id, 2))
        await checkpointer.save_now()
        assert store.rewrites == 2
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await store.close()
