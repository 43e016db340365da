"""What crosses from python-mpv's event thread to the loop: small immutable records.

The event thread may only copy fields out of libmpv's event struct (it is freed once the
callback returns) and post the copy to the loop; all decisions happen on the loop thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mpv

from player.engine.base import EndReason


@dataclass(frozen=True, slots=True)
class RawStart:
    entry_id: int


@dataclass(frozen=True, slots=True)
class RawLoaded:
    pass


@dataclass(frozen=True, slots=True)
class RawEnd:
    entry_id: int
    reason: int
    error: int


@dataclass(frozen=True, slots=True)
class RawProperty:
    name: str
    value: bool | float | str | None


@dataclass(frozen=True, slots=True)
class RawShutdown:
    pass


RawEvent = RawStart | RawLoaded | RawEnd | RawProperty | RawShutdown

# libmpv's mpv_end_file_reason values.
log = logging.getLogger("player.engine.mpv")

_END_REASONS = {0: EndReason.EOF, 4: EndReason.ERROR}
_LOG_LEVELS = {"fatal": logging.CRITICAL, "error": logging.ERROR, "warn": logging.WARNING}


def raw_from_event(event: Any) -> RawEvent | None:
    """Copy the interesting parts of a libmpv event (called on mpv's event thread)."""
    eid = event.event_id.value
    if eid == mpv.MpvEventID.START_FILE:
        return RawStart(int(event.data.playlist_entry_id))
    if eid == mpv.MpvEventID.FILE_LOADED:
        return RawLoaded()
    if eid == mpv.MpvEventID.END_FILE:
        data = event.data
        return RawEnd(int(data.playlist_entry_id), int(data.reason), int(data.error))
    if eid == mpv.MpvEventID.SHUTDOWN:
        return RawShutdown()
    return None


def stream_title(metadata: Any) -> str | None:
    """A live stream's own title from mpv's `metadata` (ICY's StreamTitle is `icy-title`)."""
    if not isinstance(metadata, dict):
        return None
    for key, value in metadata.items():
        if str(key).lower() == "icy-title" and isinstance(value, str) and value.strip():
            return value.strip()[:300]
    return None


def end_reason(reason: int) -> EndReason:
    """Map libmpv's end-file reason; stop, quit and redirect all mean "no longer playing"."""
    return _END_REASONS.get(reason, EndReason.STOPPED)


def error_text(code: int) -> str:
    """libmpv's description of an error code, e.g. "loading failed"."""
    try:
        return str(mpv.ErrorCode.human_readable(code))
    except (OSError, UnicodeDecodeError, ValueError):
        return f"mpv error {code}"


def log_level(mpv_level: str) -> int:
    """The logging level for one of mpv's log levels."""
    return _LOG_LEVELS.get(mpv_level, logging.INFO)


class EventBridge:
    """The callbacks handed to python-mpv; each runs on its event thread and only posts."""

    def __init__(self, loop: asyncio.AbstractEventLoop, on_raw: Callable[[RawEvent], None]) -> None:
        self._loop = loop
        self._on_raw = on_raw

    def event_threadsafe(self, event: Any) -> None:
        raw = raw_from_event(event)
        if raw is not None:
            self._post_threadsafe(self._on_raw, raw)

    def property_threadsafe(self, name: str, value: Any) -> None:
        if name == "metadata":  # a dict python-mpv made for this call: only its title crosses
            value = stream_title(value)
        self._post_threadsafe(self._on_raw, RawProperty(name, value))

    def log_threadsafe(self, level: str, prefix: str, text: str) -> None:
        self._post_threadsafe(_log_mpv, level, prefix, text)

    def _post_threadsafe(self, fn: Callable[..., None], *args: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody listens any more
            self._loop.call_soon_threadsafe(fn, *args)


def _log_mpv(level: str, prefix: str, text: str) -> None:
    log.log(log_level(level), "mpv[%s] %s", prefix, text.rstrip())
