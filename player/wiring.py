"""The one wiring place: builds the service's parts in order, runs their long-lived work under
the TaskSupervisor by name, and stops everything in reverse (tasks first, then the parts)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass

from cache.downloads import DownloadEvent, DownloadEventKind
from cache.jellyfin.reporting import PlayReporter
from cache.media import MediaCache
from cache.models import SourceKind
from cache.net.watcher import Network
from cache.repairs import Repair
from cache.reserve import SpaceReserve
from player.config import Config
from player.engine import create_engine
from player.engine.audio import AudioSettings, ReplayGainMode
from player.engine.base import Engine
from player.engine.deferred import DeferredEngine
from player.jfremote.attach import attach_remote_control
from player.media.precache import feed_queue, start_precache
from player.media.reporting import play_reporter
from player.media.sources import media_settings
from player.mpd.wiring import running_mpd
from player.pairing.lifetime import open_pairing
from player.playback.changes import playback_changed
from player.playback.checkpoint import Checkpointer, resume_command
from player.playback.commands import CopyLanded
from player.playback.controller import PlayerController
from player.playback.state_store import StateStore
from player.radio.wiring import open_radio
from player.services import Services
from player.snapcast.relay import FifoRelay
from player.snapcast.wiring import (
    FeedGuard,
    hold_local_playback,
    pace_engine,
    source_output,
    start_snapcast,
)
from player.system.device import advertiser_for, announce_when_listening, running_buttons
from player.system.memory import settle_heap
from player.system.notify import Notifier
from player.system.storage import StorageWatch
from player.system.tasks import TaskSupervisor
from player.timers.state import Clock
from player.timers.wiring import open_timers
from player.web.bus import EventBus

# The tasks whose end ends the service (exit 1, systemd restarts it), in start order.
# cache/'s own loops (MediaCache.loops(): the download scheduler, slskd's) are critical as well.
CRITICAL_TASKS = ("engine", "player", "media", "checkpoint", "precache", "watchdog")


@dataclass(frozen=True, slots=True)
class _Playback:
    controller: PlayerController
    checkpointer: Checkpointer
    store: StateStore
    relay: FifoRelay | None  # the source role's feed into snapserver


@contextlib.asynccontextmanager
async def running_services(
    config: Config, notifier: Notifier, engine: Engine | None = None, clock: Clock | None = None
) -> AsyncIterator[Services]:
    """Every part of one service, started; `engine` replaces the real mpv engine in tests,
    `clock` the timers' wall clock."""
    supervisor = TaskSupervisor()
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(supervisor.stop)  # a build failing half-way ends its tasks too
        svc, playback = await _build(stack, config, notifier, (engine, clock), supervisor)
        await _start(svc, playback)
        stack.enter_context(running_buttons(svc))
        stack.push_async_callback(supervisor.stop)  # on the way down the tasks end first
        # ...but the checkpoint is written before anything else: the stop is bounded in time
        # (STOP_TIMEOUT, then systemd's), and a slow one must not lose the session.
        stack.push_async_callback(playback.checkpointer.save_final)
        yield svc


async def _build(
    stack: contextlib.AsyncExitStack,
    config: Config,
    notifier: Notifier,
    doubles: tuple[Engine | None, Clock | None],
    supervisor: TaskSupervisor,
) -> tuple[Services, _Playback]:
    """The parts, in the order they depend on each other; each one's stop is on `stack`.
    `doubles`: a test's engine and clock, or None for the real ones."""
    engine, clock = doubles
    bus = EventBus()
    stack.callback(bus.close)
    pairing = await stack.enter_async_context(
        open_pairing(config.security.pairing, config.state_dir)
    )
    repairs: list[Repair] = []
    storage = StorageWatch(SpaceReserve(config.state_dir))
    await storage.settle()  # before any database opens
    media = await stack.enter_async_context(_open_media(config, bus, repairs))
    precache = await start_precache(media, config, bus.publish)
    library = media  # the catalogue is the library, online or not
    playback = await stack.enter_async_context(
        _open_playback(config, library, engine, repairs, storage)
    )
    controller = playback.controller
    radio = await stack.enter_async_context(open_radio(config, controller))
    timers = await stack.enter_async_context(
        open_timers(config, controller, library, radio, bus.publish, clock)
    )
    reporter = play_reporter(media, controller, network_kind=lambda: precache.network.current.kind)
    precache.on_network(lambda net: _network_changed(net, media, reporter))
    mpd = await stack.enter_async_context(
        running_mpd(config, controller, media, library, supervisor)
    )
    svc = Services(
        config=config, notifier=notifier, bus=bus, supervisor=supervisor, media=media,
        library=library, controller=controller, precache=precache, reporter=reporter,
        pairing=pairing, mpd=mpd, listening=asyncio.Event(), repairs=repairs, storage=storage,
        snapcast=start_snapcast(config, bus, supervisor), timers=timers, radio=radio,
    )  # fmt: skip
    return svc, playback


async def _start(svc: Services, playback: _Playback) -> None:
    """Every long-running piece of work, by name, under the supervisor; then the resume."""
    spawn, media, controller = svc.supervisor.spawn, svc.media, svc.controller
    _listen(svc)
    spawn("engine", controller.engine.run())
    spawn("player", controller.run())
    if playback.relay is not None:
        playback.relay.add_listener(FeedGuard(controller, svc.bus).changed)
        pace_engine(playback.relay, controller.engine)
        spawn("snapcast-feed", playback.relay.run())
    spawn("media", _media_upkeep(media))
    for name, loop in media.loops().items():  # the download scheduler, slskd's tracker ...
        spawn(name, loop())  # critical: downloads must never stop silently
    spawn("trim-after-scan", _trim_after_scan(media, svc.listening), critical=False)
    spawn("verify-files", _verify_after_scan(media), critical=False)
    spawn("space-reserve", svc.storage.run(), critical=False)
    spawn("play-reporting", svc.reporter.run(), critical=False)
    attach_remote_control(svc, controller)  # before the resume: a cast target from the start
    await _resume(svc, playback.store)
    hold_local_playback(svc.config, controller)
    feed_queue(controller, svc.precache)
    spawn("checkpoint", playback.checkpointer.run())
    spawn("sleep-timer", svc.timers.sleep.run(), critical=False)
    spawn("track-positions", svc.timers.positions.run(), critical=False)
    spawn("alarms", svc.timers.alarms.run(), critical=False)
    spawn("precache", svc.precache.run())
    spawn("zeroconf", announce_when_listening(svc, advertiser_for(svc.config)), critical=False)
    spawn("watchdog", svc.notifier.watchdog())


def _copy_landed(controller: PlayerController, event: DownloadEvent) -> None:
    if event.kind is DownloadEventKind.COMPLETED:
        controller.submit_nowait(CopyLanded(event.download.item_id))


def _network_changed(network: Network, media: MediaCache, reporter: PlayReporter) -> None:
    """Plays kept while the server was away are owed to it now, and a failed catalogue sync
    is tried again."""
    media.server_reachable(network.server_reachable)
    if network.server_reachable:
        reporter.server_reachable()


def _listen(svc: Services) -> None:
    controller = svc.controller
    controller.add_listener(lambda what: svc.bus.publish(playback_changed(controller, what)))
    controller.add_problem_listener(svc.bus.publish)  # api.md's {"type": "error"} events
    svc.media.add_download_listener(lambda event: _copy_landed(controller, event))
    controller.add_listener(lambda _: svc.notifier.status(_status_line(controller)))


@contextlib.asynccontextmanager
async def _open_media(
    config: Config, bus: EventBus, repairs: list[Repair]
) -> AsyncIterator[MediaCache]:
    media = MediaCache(media_settings(config), on_event=bus.publish, on_repair=repairs.append)
    await media.start()
    try:
        yield media
    finally:
        await media.stop()


@contextlib.asynccontextmanager
async def _open_playback(
    config: Config,
    library: MediaCache,
    engine: Engine | None,
    repairs: list[Repair],
    storage: StorageWatch,
) -> AsyncIterator[_Playback]:
    settings = AudioSettings(
        output=config.audio.output,
        replaygain=ReplayGainMode(config.audio.replaygain),
        demuxer_max_bytes=config.audio.demuxer_max_bytes,
    )
    settings, relay = source_output(config.snapcast, settings)
    # libmpv is loaded by the first play (player/engine/deferred.py): an idle service keeps
    # ~25 MiB less, and READY does not wait for it.
    player_engine = engine or DeferredEngine(lambda: create_engine(settings))
    controller = PlayerController(
        player_engine,
        library,
        volume=config.audio.volume,
        previous_restart_after=config.player.previous_restart_after,
    )
    store = await StateStore.open(config.state_dir / "player.db", repairs.append)
    checkpointer = Checkpointer(
        controller, store, config.player.checkpoint_interval, storage.checkpoint_trouble
    )
    try:
        yield _Playback(controller, checkpointer, store, relay)
        await checkpointer.save_final()  # the tasks have ended: this is the last word
    finally:
        if relay is not None:
            relay.close()  # first: an mpv writing into the relay's pipe gets EPIPE, not a hang
        await player_engine.shutdown()
        await store.close()


async def _media_upkeep(media: MediaCache) -> None:
    await media.run()
    await asyncio.Event().wait()  # the work is done; stay alive so the supervisor sees no death


async def _verify_after_scan(media: MediaCache) -> None:
    # Hashing every download is the slowest thing a start does: it waits until the service is up
    # and the music folder scanned, so it never delays READY or the first track.
    await media.scanned.wait()
    await media.verifier.run()


async def _trim_after_scan(media: MediaCache, listening: asyncio.Event) -> None:
    # media.run() goes on syncing Jellyfin for good, so the trim waits on the scan itself; and
    # on READY: a small library's scan ends before it, and a full collection is no part of it.
    await media.scanned.wait()
    await listening.wait()
    await media.catalogue.release_memory()
    settle_heap()


async def _resume(svc: Services, store: StateStore) -> None:
    saved = await store.load()
    if saved is None:
        return
    ids = [iid for _, iid in saved.entries]
    tracks = await svc.library.tracks(ids) + svc.radio.tracks(ids)
    command = resume_command(saved, tracks, svc.config.player)
    if command is None:
        return
    index = command.index
    if index is not None and command.entries[index][1].source is SourceKind.RADIO:
        command = dataclasses.replace(command, position=0.0)  # a live stream: now, not then
    svc.controller.submit_nowait(command)


def _status_line(controller: PlayerController) -> str:
    entry = controller.queue.current
    if entry is None or controller.state == "stopped":
        return "Stopped"
    artists = ", ".join(entry.item.artists)
    return f"{controller.state.title()}: {entry.item.title} — {artists}"
