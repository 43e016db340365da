"""systemd notifications: READY, STATUS, STOPPING and the watchdog, sent from the event loop."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Mapping

import sdnotify

log = logging.getLogger(__name__)


class Notifier:
    """Talks to $NOTIFY_SOCKET when systemd gave one; does nothing otherwise."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        address = env.get("NOTIFY_SOCKET")
        self.enabled = bool(address)
        self._notifier = _SocketNotifier(address) if address else None
        self.watchdog_interval = _watchdog_interval(env)
        self._last_status = ""

    def send(self, line: str) -> None:
        if self._notifier is not None:
            self._notifier.notify(line)

    def ready(self) -> None:
        self.send("READY=1")

    def stopping(self) -> None:
        self.send("STOPPING=1")

    def status(self, text: str) -> None:
        if text != self._last_status:
            self._last_status = text
            self.send(f"STATUS={text}")

    async def watchdog(self) -> None:
        """Ping at half the interval. Pings come from the loop, so a blocked loop stops them.
        Without a watchdog it just waits: a critical task that returned would end the service."""
        interval = self.watchdog_interval
        if interval is None:
            await asyncio.Event().wait()
            return
        while True:
            self.send("WATCHDOG=1")
            await asyncio.sleep(interval / 2)


class _SocketNotifier(sdnotify.SystemdNotifier):  # type: ignore[misc]
    """sdnotify's sender, pointed at the socket we were given rather than the process environment."""

    def __init__(self, address: str) -> None:
        self.debug = False
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            self.socket.connect("\0" + address[1:] if address.startswith("@") else address)
        except OSError as err:
            log.warning("cannot reach systemd's notify socket %s: %s", address, err)


def _watchdog_interval(env: Mapping[str, str]) -> float | None:
    usec = env.get("WATCHDOG_USEC")
    pid = env.get("WATCHDOG_PID")
    if not usec or (pid and pid != str(os.getpid())):
        return None
    try:
        return int(usec) / 1_000_000
    except ValueError:
        log.warning("ignoring WATCHDOG_USEC=%r: not a number", usec)
        return None
