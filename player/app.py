"""The composition root: one aiohttp application whose contexts start resources in order."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from cache.media import MediaCache
from player.config import Config
from player.engine import create_engine
from player.engine.audio import AudioSettings, ReplayGainMode
from player.engine.base import Engine
from player.jfremote.attach import attach_remote_control
from player.media.precache import precache_ctx
from player.media.reporting import attach_play_reporting
from player.media.sources import MediaLibrary, media_settings
from player.mpd.wiring import mpd_ctx
from player.playback.checkpoint import Checkpointer, resume_command
from player.playback.controller import PlayerController
from player.playback.state_store import StateStore
from player.services import Services
from player.snapcast.wiring import snapcast_ctx
from player.system.device import buttons_ctx
from player.system.memory import trim_malloc
from player.system.notify import Notifier
from player.web.auth import auth_middleware
from player.web.hosts import HostPolicy
from player.web.keys import SERVICES
from player.web.middleware import error_middleware, host_middleware
from player.web.routes import ALL_ROUTES, STATIC_DIR
from player.web.routes.pairing import pairing_ctx

log = logging.getLogger(__name__)


def create_app(
    config: Config, *, notifier: Notifier | None = None, engine: Engine | None = None
) -> web.Application:
    """Build the service. `engine` replaces the real mpv engine in tests."""
    policy = HostPolicy(config.security.allowed_hosts)
    app = web.Application(
        middlewares=[host_middleware(policy), auth_middleware, error_middleware],
        client_max_size=256 * 1024,
    )
    svc = Services(config=config, notifier=notifier or Notifier({}))
    app[SERVICES] = svc
    for table in ALL_ROUTES:
        table.install(app)
        svc.route_specs.extend(table.specs)
    if STATIC_DIR.is_dir():
        app.router.add_static("/static", STATIC_DIR)
    app.cleanup_ctx.append(pairing_ctx)
    app.cleanup_ctx.append(_media_ctx)
    app.cleanup_ctx.append(_make_playback_ctx(engine))
    app.cleanup_ctx.append(precache_ctx)
    app.cleanup_ctx.append(buttons_ctx)
    app.cleanup_ctx.append(mpd_ctx)
    app.cleanup_ctx.append(snapcast_ctx)
    app.cleanup_ctx.append(_tasks_ctx)
    return app


async def _media_ctx(app: web.Application) -> AsyncIterator[None]:
    svc = app[SERVICES]
    media = MediaCache(
        media_settings(svc.config), on_event=svc.bus.publish, on_repair=svc.repairs.append
    )
    await media.start()
    svc.media = media
    svc.library = MediaLibrary(media)
    svc.supervisor.spawn("media", _media_upkeep(media))
    for name, loop in media.loops().items():  # the download scheduler, slskd's tracker ...
        svc.supervisor.spawn(name, loop())  # critical: downloads must never stop silently
    svc.supervisor.spawn("trim-after-scan", _trim_after_scan(media), critical=False)
    svc.supervisor.spawn("verify-files", media.verifier.run(), critical=False)
    yield
    await media.stop()


async def _media_upkeep(media: MediaCache) -> None:
    await media.run()
    await asyncio.Event().wait()  # the work is done; stay alive so the supervisor sees no death


async def _trim_after_scan(media: MediaCache) -> None:
    # media.run() goes on syncing Jellyfin for good, so the trim waits on the scan itself.
    await media.scanned.wait()
    trim_malloc()


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
        assert isinstance(library, MediaLibrary)
        controller = PlayerController(
            player_engine,
            library,
            volume=config.audio.volume,
            previous_restart_after=config.player.previous_restart_after,
        )
        svc.controller = controller
        controller.add_listener(svc.publish_change)
        controller.add_problem_listener(svc.bus.publish)  # api.md's {"type": "error"} events
        controller.add_listener(lambda _: svc.notifier.status(_status_line(controller)))
        # before any track can start (resume below); the network is read when a play starts
        svc.reporter = attach_play_reporting(svc, controller, network_kind=svc.network_kind)
        attach_remote_control(svc, controller)
        store = await StateStore.open(config.state_dir / "player.db", svc.repairs.append)
        checkpointer = Checkpointer(controller, store, config.player.checkpoint_interval)
        svc.supervisor.spawn("player", controller.run())
        await _resume(svc, store, library)
        svc.supervisor.spawn("checkpoint", checkpointer.run())
        yield
        await svc.supervisor.stop()
        try:
            await checkpointer.save_now()
        finally:
            await player_engine.shutdown()
            await store.close()

    return playback_ctx


async def _resume(svc: Services, store: StateStore, library: MediaLibrary) -> None:
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
