"""Running the service: listen, tell systemd we are ready, stop cleanly (signal or a dead task)."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket

from aiohttp import web

from cache.timeouts import within
from player.app import create_app
from player.config import Config, ConfigError
from player.system import startup
from player.system.notify import Notifier
from player.web.keys import SERVICES
from player.web.listener import start_http
from player.web.server import ServerLimits

log = logging.getLogger(__name__)
STOP_TIMEOUT = 1.5  # systemd and the issue ask for a clean exit within 2 s
EXIT_FAILED = 1  # a critical task died: systemd restarts us
EXIT_CONFIG = 2  # a config mistake (what the loader reports, also exit 2)
EXIT_CANNOT_START = 2  # nothing was started: the address cannot be listened on


class ListenError(Exception):
    """The configured address cannot be listened on (in use, not resolvable, not ours)."""


async def serve(config: Config, notifier: Notifier | None = None) -> int:
    """Run until SIGTERM/SIGINT (exit 0) or until a critical task dies (exit 1)."""
    try:
        await asyncio.to_thread(check_listen, config.server.host, config.server.port)
    except ListenError as err:
        log.error("%s", err)
        return EXIT_CANNOT_START
    notifier = notifier or Notifier()
    app = create_app(config, notifier=notifier)
    runner = await start_http(app, config.server.host, config.server.port, ServerLimits())
    try:
        return await _run_until_stopped(app, notifier, config)
    finally:
        await _clean_up(runner)


async def _run_until_stopped(app: web.Application, notifier: Notifier, config: Config) -> int:
    svc = app[SERVICES]
    notifier.ready()  # the socket listens: nothing else (mDNS, network, scans) is waited for
    svc.listening.set()
    startup.up()  # the dataclass code cache dropped, the collector back
    _log_urls(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(svc.supervisor.failed.wait())]
    await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    for waiter in waiters:
        waiter.cancel()
    failed, error = svc.supervisor.failure, svc.supervisor.failure_error
    notifier.stopping()
    if isinstance(error, ConfigError):
        # A mistake only the server could reveal (a refused password): the loader's report.
        log.error("%s", ConfigError(error.problems, config.source))
        return EXIT_CONFIG
    if failed:
        log.error("stopping because %s", failed)
    else:
        log.info("stopping")
    return EXIT_FAILED if failed else 0


async def _clean_up(runner: web.AppRunner) -> None:
    try:
        await within(runner.cleanup(), STOP_TIMEOUT)
    except TimeoutError:
        log.warning("clean-up took longer than %.1f s; exiting anyway", STOP_TIMEOUT)


def check_listen(host: str, port: int) -> None:
    """Fail fast, before any part is built, when host:port cannot be listened on."""
    try:
        infos = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as err:
        raise ListenError(
            f"cannot listen on {host}:{port}: the name does not resolve ({err.strerror})"
        ) from err
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                probe.bind(address)
            except OSError as err:
                raise ListenError(f"cannot listen on {host}:{port}: {err.strerror}") from err


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
