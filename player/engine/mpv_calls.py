"""libmpv's blocking calls, made on one worker thread of their own instead of the loop thread.

A synchronous libmpv call waits for mpv's core thread, and around a track change the core is
busy opening the next file and reinitialising the output: `loadfile`, `playlist-clear` and a
read of `playlist-pos` each took 100-400 ms here with a 20,000-entry queue or a 100-entry one,
and every one of them stopped the whole server (HTTP, WebSockets, the MPD port) meanwhile. One
worker keeps the calls in the order they were made, as the loop thread did.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import mpv

from player.engine import EngineError
from player.engine.mpv_events import EventBridge

log = logging.getLogger("player.engine.mpv")
T = TypeVar("T")

# What python-mpv raises when libmpv refuses a call (ShutdownError is a SystemError).
MPV_ERRORS = (SystemError, RuntimeError, ValueError, AttributeError, TypeError, OSError)


class MpvCalls:
    """One thread making libmpv calls in submission order; awaited, or posted and forgotten."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mpv-calls")
        self._closed = False

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` on the worker; its result or its exception, back on the loop."""
        if self._closed:
            raise EngineError("engine is not running")
        return await asyncio.wrap_future(self._pool.submit(fn, *args))

    def post(self, fn: Callable[..., None], *args: Any) -> None:
        """`fn(*args)` on the worker, after what was asked before; `fn` handles its own errors.
        Nothing once closed."""
        if not self._closed:
            self._pool.submit(fn, *args)

    async def close(self) -> None:
        """Wait for what was asked, then let the worker end; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        last = self._pool.submit(_nothing)
        self._pool.shutdown(wait=False)
        await asyncio.wrap_future(last)


def _nothing() -> None:
    return None


# -- run on the worker ---------------------------------------------------------------------------
def command(player: Any, *args: str) -> Any:
    try:
        return player.command(*args)
    except MPV_ERRORS as err:
        raise EngineError(f"mpv {args[0]} failed: {err}") from err


def set_option(player: Any, name: str, value: bool | int) -> None:
    text = ("yes" if value else "no") if isinstance(value, bool) else str(value)
    command(player, "set", name, text)


def load(player: Any, url: str, mode: str, options: str) -> int:
    """`loadfile`; the playlist entry id that mpv's start-file and end-file events will carry."""
    return int(command(player, "loadfile", url, mode, options)["playlist_entry_id"])


def clear_all_but_current(player: Any) -> set[int]:
    """playlist-clear keeps exactly mpv's current entry, atomically, even mid-transition; the
    ids of what is left."""
    command(player, "playlist-clear")
    try:
        return {int(entry["id"]) for entry in player.playlist}
    except MPV_ERRORS as err:
        raise EngineError(f"mpv playlist unreadable: {err}") from err


def drop_played_entries(player: Any) -> None:
    # Entries before playlist-pos are done; mpv can only move forward meanwhile, so index 0
    # stays a played entry while we remove.
    try:
        for _ in range(int(player.playlist_pos)):
            player.command("playlist-remove", "0")
    except MPV_ERRORS as err:
        log.debug("could not drop played entries: %s", err)


def seek_now(player: Any, position: float) -> None:
    try:
        player.command("seek", f"{position:.3f}", "absolute+exact")
    except MPV_ERRORS as err:
        log.info("seek to %.1f s refused: %s", position, err)


def create_player(bridge: EventBridge, options: dict[str, Any]) -> Any:
    """libmpv made and observed (on the worker: making it loads and opens its output)."""
    try:
        player = mpv.MPV(log_handler=bridge.log_threadsafe, loglevel="warn", **options)
    except MPV_ERRORS as err:
        raise EngineError(f"libmpv would not start: {err}") from err
    player.register_event_callback(bridge.event_threadsafe)
    # time-pos is observed, not polled: the API's position follows the audio within
    # position_step (a poll every 0.5 s left it up to half a second behind), and a paused or
    # stopped player gets no events at all.
    for name in ("pause", "duration", "time-pos", "metadata"):
        player.observe_property(name, bridge.property_threadsafe)
    return player
