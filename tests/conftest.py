"""Shared by every test: the guard that nothing leaves a thread, a task or a socket behind it
(tests/leaks.py), and the one fresh cache.db fixture."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiosqlite
import pytest

from cache.db import open_db
from cache.schema import MIGRATIONS
from tests import leaks


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test gets the thread and socket guard; coroutine tests the task guard as well.
    They go first among the test's function-scoped fixtures (after the session and module ones,
    which outlive the test by design), so they see before and after every fixture of its own."""
    for item in items:
        names: list[str] | None = getattr(item, "fixturenames", None)
        if names is None:
            continue
        guards = ["no_leaked_threads_or_sockets"]
        if inspect.iscoroutinefunction(getattr(item, "function", None)):
            guards.append("no_leaked_tasks")
        for guard in guards:
            if guard in names:
                names.remove(guard)
        at = _first_function_scoped(item, names)
        names[at:at] = guards


def _first_function_scoped(item: pytest.Item, names: list[str]) -> int:
    """Where the function-scoped fixtures begin (pytest orders a closure by scope, widest first)."""
    definitions = item._fixtureinfo.name2fixturedefs  # type: ignore[attr-defined]
    for index, name in enumerate(names):
        defs = definitions.get(name)  # none for `request`, which has no definition
        if defs and defs[-1].scope == "function":
            return index
    return len(names)


@pytest.fixture
def no_leaked_threads_or_sockets() -> Iterator[None]:
    threads, sockets = leaks.live_threads(), leaks.open_sockets()
    served = leaks.served_ports(sockets)
    yield
    left_threads = leaks.settled(leaks.live_threads, threads)
    assert not left_threads, f"test left threads running: {sorted(t.name for t in left_threads)}"
    left_sockets = leaks.settled(lambda: leaks.new_sockets(sockets, served), set())
    assert not left_sockets, f"test left sockets open (inodes): {sorted(left_sockets)}"


@pytest.fixture
async def no_leaked_tasks() -> AsyncIterator[None]:
    yield
    pending = await leaks.pending_tasks()
    assert not pending, f"test left tasks running: {pending}"


@pytest.fixture
async def fresh_db(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    """An empty cache.db at the newest schema."""
    db = await open_db(tmp_path / "cache.db", MIGRATIONS)
    try:
        yield db
    finally:
        await db.close()
