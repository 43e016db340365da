"""Where a bug is contained: the one place a long-lived part catches "any error".

Two shapes recur in a service that must not stop: a publisher handing an event to listeners (one
listener's bug must reach neither the publisher nor the other listeners), and a loop doing one
round of work (a bug in one round must not end the loop; the next round retries). Both log the
error with its traceback and carry on. Cancellation always passes through: stopping is not a bug.

Outside this module, a broad `except Exception` belongs only to the command inbox loops, the task
supervisor and the web middleware.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

log = logging.getLogger(__name__)

Event = TypeVar("Event")


def notify_all(
    listeners: Iterable[Callable[[Event], None]],
    event: Event,
    who: str,
    logger: logging.Logger = log,
) -> None:
    """Hand `event` to each listener in turn; a listener that raises is logged as `who`."""
    for listener in listeners:
        try:
            listener(event)
        except Exception:
            logger.exception("%s failed on %r", who, event)


async def one_round(
    work: Awaitable[object], what: str, logger: logging.Logger = log
) -> Exception | None:
    """Await one round of a loop's work; returns the error it raised (logged as `what`), if any."""
    try:
        await work
    except Exception as err:  # CancelledError is a BaseException: it passes through
        logger.exception("%s failed", what)
        return err
    return None
