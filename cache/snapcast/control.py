"""Group control over snapserver's JSON-RPC: the rooms kept live by its notifications, and the
changes a person asks for (volume, mute, latency, moving a room to or from tapedeck's stream)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cache.snapcast.rooms import (
    EMPTY_HOUSE,
    House,
    LocalClient,
    Room,
    RoomsChanged,
    parse_status,
)
from cache.snapcast.rpc import RpcConnection, RpcError

log = logging.getLogger(__name__)


class SnapcastUnavailableError(Exception):
    """snapserver cannot be reached just now."""


class RoomNotFoundError(Exception):
    pass


class NoOtherStreamError(Exception):
    """A room can leave tapedeck's stream only for another stream snapserver declares."""


@dataclass(frozen=True, slots=True)
class ControlSettings:
    host: str
    port: int
    stream: str
    timeout: float = 5.0
    this_room: str = ""  # the client id of the snapclient tapedeck runs here (room role)
    room_name: str = ""  # the name it is given in Snapcast while it has none of its own
    retry_delays: tuple[float, ...] = (0.2, 0.5, 1.0, 2.0)  # the last one repeats


@dataclass(frozen=True, slots=True)
class RoomChange:
    volume: int | None = None
    muted: bool | None = None
    latency: int | None = None
    in_group: bool | None = None


class SnapcastControl:
    """Holds one control connection for as long as `run()` runs, reconnecting when it drops."""

    def __init__(self, settings: ControlSettings, on_event: Callable[[RoomsChanged], None]) -> None:
        self._settings = settings
        self._on_event = on_event
        self._rpc: RpcConnection | None = None
        self._dirty = asyncio.Event()
        self.house: House = EMPTY_HOUSE
        self._told_reachable = False
        self._last_error = ""  # why the last connection failed or ended, for the person
        self.local: LocalClient | None = None  # the room role's own snapclient, once it reports

    @property
    def problem(self) -> str:
        """Why snapserver cannot be reached, in a sentence (the 503's message)."""
        where = f"snapserver at {self._settings.host}:{self._settings.port}"
        if self._last_error:
            return f"{where} is not reachable ({self._last_error})"
        return f"{where} is not reachable yet"

    @property
    def reachable(self) -> bool:
        # Only once the first status arrived: before, the rooms list would be empty, not known.
        return self._rpc is not None and self._told_reachable

    async def run(self) -> None:
        attempt = 0
        while True:
            try:
                await self._session()
                attempt = 0
            # the connection dropping mid-call surfaces as SnapcastUnavailableError (from _call)
            except (OSError, RpcError, TimeoutError, SnapcastUnavailableError) as err:
                self._last_error = _reason(err)
                log.info(
                    "snapserver control %s:%d: %s", self._settings.host, self._settings.port, err
                )
            self._went_away()
            delays = self._settings.retry_delays
            await asyncio.sleep(delays[min(attempt, len(delays) - 1)])
            attempt += 1

    async def _session(self) -> None:
        settings = self._settings
        rpc = await RpcConnection.open(
            settings.host, settings.port, self._notified, settings.timeout
        )
        reader = asyncio.create_task(rpc.read_loop(), name="snapcast-rpc-read")
        try:
            self._rpc = rpc
            await self._refresh()
            log.info("snapserver control connected (%d rooms)", len(self.house.rooms))
            await self._follow(reader)
            self._last_error = "it closed the connection"
        finally:
            self._rpc = None
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, RpcError, OSError):
                await reader
            await rpc.close()

    async def _follow(self, reader: asyncio.Task[None]) -> None:
        """Re-read the status after notifications until the connection ends."""
        while not reader.done():
            waiter = asyncio.create_task(self._dirty.wait())
            await asyncio.wait({reader, waiter}, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            if self._dirty.is_set():
                self._dirty.clear()
                await self._refresh()
        reader.result()  # raises what ended it, if anything did

    def _notified(self, method: str, params: dict[str, Any]) -> None:
        # Any change (ours or another controller's) is read back whole: a house is small and one
        # Server.GetStatus is the one view that cannot drift from snapserver's.
        self._dirty.set()

    def local_changed(self, local: LocalClient) -> None:
        """The room's own snapclient started or ended: the rooms as they are, with it."""
        if local != self.local:
            self.local = local
            self._tell()

    def _went_away(self) -> None:
        self._told_reachable = False
        self._tell()

    def _tell(self) -> None:
        reason = "" if self.reachable else self.problem
        self._on_event(RoomsChanged(self.house.rooms, self.reachable, reason, self.local))

    async def _refresh(self) -> None:
        # Cleared before asking: a notification read in the same burst as the answer (a room
        # connecting just then) must lead to another read, not be wiped out by this one.
        self._dirty.clear()
        result = await self._call("Server.GetStatus")
        house = parse_status(result, self._settings.stream, self._settings.this_room)
        if house != self.house or not self._told_reachable:
            self.house = house
            self._told_reachable = True
            self._tell()
        await self._name_this_room()

    async def _name_this_room(self) -> None:
        # snapclient 0.26 has no name option, so a new room shows as its host ("raspberrypi");
        # it takes tapedeck's name once, and a name set in Snapweb or on the page stays.
        own = next((room for room in self.house.rooms if room.this_device), None)
        if own is None or own.named or not self._settings.room_name:
            return
        try:
            await self._call("Client.SetName", {"id": own.id, "name": self._settings.room_name})
        except RpcError as err:  # refused: the host's name stays, the rooms still work
            log.info("snapserver would not name this room: %s", err)
            return
        self._dirty.set()  # snapserver tells only the other controllers: read the name back

    async def _call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        rpc = self._rpc
        if rpc is None:
            raise SnapcastUnavailableError("snapserver is not reachable")
        try:
            return await rpc.call(method, params)
        except RpcError as err:
            if err.code is None:  # the connection itself failed
                raise SnapcastUnavailableError(str(err)) from err
            raise

    async def change(self, room_id: str, change: RoomChange) -> Room:
        """Apply a person's change to one room at snapserver; answer the room as it is then."""
        room = self.house.room(room_id)
        if room is None:
            raise RoomNotFoundError(f"no room {room_id!r}")
        if change.volume is not None or change.muted is not None:
            volume = {
                "percent": room.volume if change.volume is None else change.volume,
                "muted": room.muted if change.muted is None else change.muted,
            }
            await self._call("Client.SetVolume", {"id": room_id, "volume": volume})
        if change.latency is not None:
            await self._call("Client.SetLatency", {"id": room_id, "latency": change.latency})
        if change.in_group is not None and change.in_group != room.in_group:
            await (self._join(room) if change.in_group else self._leave(room))
        await self._refresh()
        changed = self.house.room(room_id)
        if changed is None:
            raise RoomNotFoundError(f"room {room_id!r} went away")
        return changed

    async def _join(self, room: Room) -> None:
        target = self.house.group_on(self._settings.stream)
        if target is None:
            await self._call(
                "Group.SetStream", {"id": room.group_id, "stream_id": self._settings.stream}
            )
            return
        clients = [*self.house.groups.get(target, ()), room.id]
        await self._call("Group.SetClients", {"id": target, "clients": clients})

    async def _leave(self, room: Room) -> None:
        other = next((s for s in self.house.streams if s != self._settings.stream), None)
        if other is None:
            raise NoOtherStreamError("snapserver has no other stream for this room to play")
        members = self.house.groups.get(room.group_id, ())
        group = room.group_id
        if len(members) > 1:
            # Left out of its group's list, the room gets a group of its own (same stream).
            rest = [cid for cid in members if cid != room.id]
            await self._call("Group.SetClients", {"id": group, "clients": rest})
            await self._refresh()
            moved = self.house.room(room.id)
            if moved is None:
                raise RoomNotFoundError(f"room {room.id!r} went away")
            group = moved.group_id
        await self._call("Group.SetStream", {"id": group, "stream_id": other})


def _reason(err: BaseException) -> str:
    if isinstance(err, ConnectionRefusedError):
        return "connection refused: is snapserver running?"
    if isinstance(err, TimeoutError):
        return "it did not answer in time"
    return str(err) or type(err).__name__
