"""The aiohttp application: middlewares, routes, and one context running `player.wiring`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from aiohttp import web

from player.config import Config
from player.engine.base import Engine
from player.system.notify import Notifier
from player.timers.state import Clock
from player.web.auth import auth_middleware
from player.web.hosts import HostPolicy
from player.web.keys import ROUTE_SPECS, SERVICES
from player.web.middleware import error_middleware, host_middleware
from player.web.routes import ALL_ROUTES, STATIC_DIR
from player.wiring import running_services

AppContext = Callable[[web.Application], AsyncIterator[None]]


def create_app(
    config: Config,
    *,
    notifier: Notifier | None = None,
    engine: Engine | None = None,
    clock: Clock | None = None,
) -> web.Application:
    """Build the service. `engine` replaces the real mpv engine in tests, `clock` the timers'."""
    policy = HostPolicy(config.security.allowed_hosts)
    app = web.Application(
        middlewares=[host_middleware(policy), auth_middleware, error_middleware],
        client_max_size=256 * 1024,
    )
    for table in ALL_ROUTES:
        table.install(app)
    app[ROUTE_SPECS] = tuple(spec for table in ALL_ROUTES for spec in table.specs)
    if STATIC_DIR.is_dir():
        app.router.add_static("/static", STATIC_DIR)
    app.cleanup_ctx.append(_services_ctx(config, notifier or Notifier({}), engine, clock))
    app.on_shutdown.append(_end_event_streams)
    return app


async def _end_event_streams(app: web.Application) -> None:
    """End every events WebSocket as the server stops: aiohttp waits for running handlers before
    the parts' clean-up, and an events handler only returns when its client leaves. One open page
    (or Snapcast's plug-in, always connected) held every stop past its time limit, and the service
    exited without its clean-up."""
    if SERVICES in app:
        app[SERVICES].bus.close()


def _services_ctx(
    config: Config, notifier: Notifier, engine: Engine | None, clock: Clock | None
) -> AppContext:
    async def services_ctx(app: web.Application) -> AsyncIterator[None]:
        async with running_services(config, notifier, engine, clock) as svc:
            app[SERVICES] = svc
            yield

    return services_ctx
