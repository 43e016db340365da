"""The TaskSupervisor: named tasks, a critical death reported once, everything stopped newest first."""

from __future__ import annotations

import asyncio
import logging

import pytest

from player.system.tasks import TaskSupervisor
from tests.polling import until


async def forever(log: list[str], name: str) -> None:
    try:
        await asyncio.Event().wait()
    finally:
        log.append(name)


async def dies() -> None:
    await asyncio.sleep(0)
    raise ValueError("boom")


async def test_a_critical_task_dying_sets_failed_with_its_name(
    caplog: pytest.LogCaptureFixture,
) -> None:
    supervisor = TaskSupervisor()
    supervisor.spawn("scheduler", dies())
    await asyncio.wait_for(supervisor.failed.wait(), 5)
    assert supervisor.failure == "scheduler: ValueError('boom')"
    assert "background task scheduler died" in caplog.text
    await supervisor.stop()


async def test_a_critical_task_returning_or_cancelled_from_outside_is_a_death() -> None:
    supervisor = TaskSupervisor()
    supervisor.spawn("returns", asyncio.sleep(0))
    await asyncio.wait_for(supervisor.failed.wait(), 5)
    assert supervisor.failure == "returns ended"
    other = TaskSupervisor()
    task = other.spawn("cancelled", asyncio.Event().wait())
    task.cancel()
    await asyncio.wait_for(other.failed.wait(), 5)
    assert other.failure == "cancelled was cancelled"


async def test_only_the_first_death_is_the_failure() -> None:
    supervisor = TaskSupervisor()
    supervisor.spawn("first", dies())
    await asyncio.wait_for(supervisor.failed.wait(), 5)
    supervisor.spawn("second", dies())
    await until(lambda: supervisor.names == ())
    assert supervisor.failure is not None and supervisor.failure.startswith("first")
    await supervisor.stop()


async def test_a_non_critical_death_is_logged_and_nothing_more(
    caplog: pytest.LogCaptureFixture,
) -> None:
    supervisor = TaskSupervisor()
    supervisor.spawn("reports", dies(), critical=False)
    supervisor.spawn("done", asyncio.sleep(0), critical=False)
    with caplog.at_level(logging.ERROR):
        await until(lambda: supervisor.names == ())
    assert not supervisor.failed.is_set()
    assert "background task reports died" in caplog.text
    assert "done" not in caplog.text


async def test_stop_cancels_newest_first_and_reports_nothing() -> None:
    supervisor = TaskSupervisor()
    ended: list[str] = []
    for name in ("a", "b", "c"):
        supervisor.spawn(name, forever(ended, name))
    await asyncio.sleep(0)
    assert supervisor.names == ("a", "b", "c")
    await supervisor.stop()
    assert ended == ["c", "b", "a"]
    assert not supervisor.failed.is_set()
    assert supervisor.names == ()
    await supervisor.stop()  # idempotent


async def test_stop_gives_up_on_a_task_that_will_not_end() -> None:
    supervisor = TaskSupervisor()
    release = asyncio.Event()

    async def stubborn() -> None:
        while not release.is_set():
            try:
                await release.wait()
            except asyncio.CancelledError:
                continue  # ignores cancellation until released

    task = supervisor.spawn("stubborn", stubborn())
    await asyncio.sleep(0)
    await supervisor.stop(grace=0.05)
    assert not task.done()
    release.set()
    await asyncio.wait_for(task, 5)


async def test_no_spawn_once_stopping() -> None:
    supervisor = TaskSupervisor()
    await supervisor.stop()
    coro = asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="stopping"):
        supervisor.spawn("late", coro)
