"""The composition root: one aiohttp application whose contexts start resources in order."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from cache.catalogue import Catalogue
from cache.db import open_db
from cache.local.demo import ensure_demo_library
from cache.local.scanner import Scanner
from cache.schema import MIGRATIONS
from player.checkpoint import Checkpointer, resume_command
from player.config import Config
from player.controller import PlayerController
from player.engine import create_engine
from player.engine.audio import AudioSettings, ReplayGainMode
from player.engine.base import Engine
from player.notify import Notifier
from player.services import Services
from player.sources import LocalLibrary
from player.state_store import StateStore
from player.web.hosts import HostPolicy
from player.web.keys import SERVICES
from player.web.middleware import error_middleware, host_middleware
from player.web.routes import ALL_ROUTES, STATIC_DIR

log = logging.getLogger(__name__)


def create_app(
    config: Config, *, notifier: Notifier | None = None, engine: Engine | None = None
) -> web.Application:
    """Build the service. `engine` replaces the real mpv engine in tests."""
    policy = HostPolicy(config.security.allowed_hosts)
    app = web.Application(
        middlewares=[host_middleware(policy), error_middleware], client_max_size=256 * 1024
    )
    svc = Services(config=config, notifier=notifier or Notifier({}))
    app[SERVICES] = svc
    for table in ALL_ROUTES:
        table.install(app)
        svc.route_specs.extend(table.specs)
    if STATIC_DIR.is_dir():
        app.router.add_static("/static", STATIC_DIR)
    app.cleanup_ctx.append(_library_ctx)
    app.cleanup_ctx.append(_make_playback_ctx(engine))
    app.cleanup_ctx.append(_tasks_ctx)
    return app


async def _library_ctx(app: web.Application) -> AsyncIterator[None]:
    svc = app[SERVICES]
    config = svc.config
    for folder in (config.state_dir, config.cache_dir, config.music_dir):
        folder.mkdir(parents=True, exist_ok=True)
    conn = await open_db(config.state_dir / "cache.db", MIGRATIONS)
    catalogue = Catalogue(conn)
    library = LocalLibrary(catalogue, config.music_dir)
    svc.library = library
    svc.scanner = Scanner(catalogue, config.music_dir)
    svc.supervisor.spawn("library-scan", _scan(svc, catalogue), critical=False)
    yield
    await conn.close()


async def _scan(svc: Services, catalogue: Catalogue) -> None:
    config = svc.config
    try:
        if config.library.demo and await asyncio.to_thread(ensure_demo_library, config.music_dir):
            log.info("the music folder %s was empty: made a demo library to play", config.music_dir)
        if config.library.scan_on_start:
            summary = await svc.scanner.scan()
            log.info("library scan: %s", summary)
    finally:
        svc.library_scanned.set()


def _make_playback_ctx(engine: Engine | None):  # type: ignore[no-untyped-def]
    async def playback_ctx(app: web.Application) -> AsyncIterator[None]:
        svc = app[SERVICES]
        config = svc.config
        settings = AudioSettings(
            output=config.audio.output,
            replaygain=ReplayGainMode(config.audio.replaygain),
            demuxer_max_bytes=config.audio.demuxer_max_bytes,
        )
        player_engine = engine or create_engine(settings)
        library = svc.library
        assert isinstance(library, LocalLibrary)
        controller = PlayerController(
            player_engine,
            library,
            volume=config.audio.volume,
            previous_restart_after=config.player.previous_restart_after,
        )
        svc.controller = controller
        controller.add_listener(svc.publish_change)
        controller.add_listener(lambda _: svc.notifier.status(_status_line(controller)))
        store = await StateStore.open(config.state_dir / "player.db")
        checkpointer = Checkpointer(controller, store, config.player.checkpoint_interval)
        svc.supervisor.spawn("player", controller.run())
        await _resume(svc, store, library)
        svc.supervisor.spawn("checkpoint", checkpointer.run())
        yield
        await svc.supervisor.stop()
        await checkpointer.save_now()
        await player_engine.shutdown()
        await store.close()

    return playback_ctx


async def _resume(svc: Services, store: StateStore, library: LocalLibrary) -> None:
    saved = await store.load()
    if saved is None:
        return
    tracks = await library.tracks([iid for _, iid in saved.entries])
    command = resume_command(saved, tracks, svc.config.player)
    if command is not None:
        svc.controller.submit_nowait(command)


def _status_line(controller: PlayerController) -> str:
    entry = controller.queue.current
    if entry is None or controller.state == "stopped":
        return "Stopped"
    artists = ", ".join(entry.item.artists)
    return f"{controller.state.title()}: {entry.item.title} — {artists}"


async def _tasks_ctx(app: web.Application) -> AsyncIterator[None]:
    yield
    app[SERVICES].bus.close()
