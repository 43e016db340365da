"""Rate-limited logging: a hostile client must not be able to fill the card with log lines."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable


class LogThrottle:
    """Lets `burst` records per key through each `interval` seconds, then counts the rest.

    The next record let through after a quiet spell says how many were held back, so a person
    reading the log still learns the scale of what happened.
    """

    def __init__(
        self,
        interval: float = 60.0,
        burst: int = 5,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 256,
    ) -> None:
        self._interval = interval
        self._burst = burst
        self._clock = clock
        self._max_keys = max_keys
        self._windows: dict[str, tuple[float, int, int]] = {}  # key -> (start, passed, held)

    def admit(self, key: str) -> int | None:
        """None when this record is to be held back; else how many were held back before it."""
        now = self._clock()
        start, passed, held = self._windows.get(key, (now, 0, 0))
        if now - start >= self._interval:
            start, passed = now, 0
        if passed >= self._burst:
            self._windows[key] = (start, passed, held + 1)
            return None
        self._forget_old_keys()
        self._windows[key] = (start, passed + 1, 0)
        return held

    def _forget_old_keys(self) -> None:
        # Keys are message templates, a handful; the bound only guards against a surprise.
        if len(self._windows) >= self._max_keys:
            self._windows.clear()

    def log(self, logger: logging.Logger, level: int, key: str, msg: str, *args: object) -> None:
        """`logger.log(level, msg, *args)` unless `key` has had its share this interval."""
        held = self.admit(key)
        if held is None:
            return
        if held:
            msg += " (%d more like this not logged)"
            args = (*args, held)
        logger.log(level, msg, *args)


class ThrottleFilter(logging.Filter):
    """The same limit for records other libraries write (asyncio's accept errors, aiohttp's)."""

    def __init__(self, throttle: LogThrottle) -> None:
        super().__init__()
        self._throttle = throttle

    def filter(self, record: logging.LogRecord) -> bool:
        first_line = str(record.msg).split("\n", 1)[0]
        held = self._throttle.admit(f"{record.name}:{first_line}")
        if held is None:
            return False
        if held:
            record.msg = f"{record.msg} ({held} more like this not logged)"
        # A flood of identical tracebacks says nothing the first one did not.
        if record.exc_info and record.levelno < logging.ERROR:
            record.exc_info = None
        return True
