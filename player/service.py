"""Running the service: listen, tell systemd we are ready, keep the watchdog fed, stop cleanly."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket

from player.app import create_app
from player.config import Config
from player.system.device import advertiser_for
from player.system.notify import Notifier
from player.web.keys import SERVICES
from player.web.listener import start_http
from player.web.server import ServerLimits

log = logging.getLogger(__name__)
STOP_TIMEOUT = 1.5  # systemd and the issue ask for a clean exit within 2 s


async def serve(config: Config, notifier: Notifier | None = None) -> int:
    """Run until SIGTERM/SIGINT (exit 0) or until a critical task dies (exit 1)."""
    notifier = notifier or Notifier()
    app = create_app(config, notifier=notifier)
    runner = await start_http(app, config.server.host, config.server.port, ServerLimits())
    notifier.ready()  # the socket listens: nothing else (mDNS, network, scans) is waited for
    _log_urls(config)
    svc = app[SERVICES]
    advertiser = advertiser_for(svc, config.server.port)
    if config.zeroconf.enabled:
        notifier.status("Announcing on the local network")  # after READY=1, never before
        advertiser.start()
    watchdog = asyncio.create_task(notifier.watchdog(), name="watchdog")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(svc.supervisor.failed.wait())]
    await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    for waiter in waiters:
        waiter.cancel()
    failed = svc.supervisor.failure
    notifier.stopping()
    log.info("stopping%s", f" because {failed}" if failed else "")
    watchdog.cancel()
    await advertiser.stop()
    try:
        await asyncio.wait_for(runner.cleanup(), STOP_TIMEOUT)
    except TimeoutError:
        log.warning("clean-up took longer than %.1f s; exiting anyway", STOP_TIMEOUT)
    return 1 if failed else 0


def _log_urls(config: Config) -> None:
    port = config.server.port
    host = config.server.host
    if host in ("0.0.0.0", "::", ""):
        name = socket.gethostname()
        log.info(
            "tapedeck is up: open http://%s.local:%d/ or http://localhost:%d/", name, port, port
        )
    else:
        log.info("tapedeck is up: open http://%s:%d/", host, port)
