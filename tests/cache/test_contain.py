"""The one containment mechanism: a listener's or a round's bug is logged and goes no further;
stopping (cancellation) always goes through."""

from __future__ import annotations

import asyncio
import logging

import pytest

from cache.contain import notify_all, one_round


def test_a_failing_listener_reaches_neither_the_publisher_nor_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    heard: list[str] = []

    def broken(event: str) -> None:
        raise ValueError("listener bug")

    notify_all([heard.append, broken, heard.append], "ping", "test listener")
    assert heard == ["ping", "ping"]
    assert "test listener failed on 'ping'" in caplog.text
    assert "ValueError: listener bug" in caplog.text  # with its traceback


async def test_a_failing_round_returns_its_error_and_the_loop_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def bad() -> None:
        raise KeyError("round bug")

    async def good() -> None:
        return None

    caplog.set_level(logging.ERROR)
    error = await one_round(bad(), "a round")
    assert isinstance(error, KeyError)
    assert "a round failed" in caplog.text
    assert await one_round(good(), "a round") is None


async def test_cancellation_is_never_contained() -> None:
    started = asyncio.Event()

    async def forever() -> None:
        started.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(one_round(forever(), "a round"))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
