"""The alarm clock: the config's and the API's alarms, ringing on time, and the snooze.

Each ring is written to player.db before the alarm plays, so a restart or a power cut never
rings it twice; after one, a ring missed by at most `grace` seconds still rings. Waits are cut
into `poll_seconds` pieces: a device without a battery clock may jump its wall time (NTP after
boot) while it waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from player.playback import commands as c
from player.playback.commands import PlayState
from player.playback.controller import PlayerController
from player.timers.alarm_model import Alarm, AlarmOrigin, alarm_from_json, due, next_ring
from player.timers.ringing import Ringer
from player.timers.state import Clock, first_done, iso_utc
from player.timers.store import TimerStore

log = logging.getLogger(__name__)
MAX_ALARMS = 50


class AlarmError(Exception):
    """A request the alarm clock refuses; `status` is the HTTP status for the API."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class AlarmTimings:
    grace: float = 600.0  # seconds late an alarm may still ring (after a power cut)
    snooze: float = 540.0  # seconds a snooze lasts
    ring_limit: float = 3600.0  # seconds after its ring an alarm can still be snoozed
    poll_seconds: float = 30.0  # the longest single wait (wall-clock jumps are seen within it)


@dataclass(frozen=True, slots=True)
class AlarmStatus:
    """Every alarm with its next ring (epoch s), which one rings now, and until when it snoozes."""

    alarms: tuple[tuple[Alarm, float | None], ...]
    ringing: str | None
    snoozed_until: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "alarms": [a.to_json(iso_utc(t) if t is not None else None) for a, t in self.alarms],
            "ringing": self.ringing,
            "snoozed_until": iso_utc(self.snoozed_until) if self.snoozed_until else None,
        }


@dataclass(frozen=True, slots=True)
class AlarmsChanged:
    """An alarm was added, changed, removed, rang or snoozed (`{"type": "alarms"}`)."""

    status: AlarmStatus


class AlarmClock:
    def __init__(
        self,
        config_alarms: list[Alarm],
        store: TimerStore,
        ringer: Ringer,
        publish: Callable[[object], None],
        clock: Clock,
        timings: AlarmTimings | None = None,
        tz: tzinfo | None = None,  # None: the device's local time
    ) -> None:
        self._alarms: dict[str, Alarm] = {a.id: a for a in config_alarms}
        self._store = store
        self._ringer = ringer
        self._publish = publish
        self._clock = clock
        self._timings = timings or AlarmTimings()
        self._tz = tz
        self._fired: dict[str, float] = {}  # alarm id -> the ring it last fired (or set-up time)
        self._ringing: Alarm | None = None
        self._rang_at = 0.0
        self._snoozed_until: float | None = None
        self._acting = False  # our own commands are in flight: their pauses are no person's
        self._changed = asyncio.Event()
        self._controller: PlayerController = ringer.controller
        self._controller.add_listener(self._on_controller_change)

    async def load(self) -> None:
        """The API's alarms and the rings already fired, before `run`."""
        for alarm in await self._store.load_alarms():
            self._alarms.setdefault(alarm.id, alarm)  # a config id wins over a stored one
        self._fired = await self._store.load_firings()

    # -- what the routes and buttons call ----------------------------------------------------
    def status(self) -> AlarmStatus:
        now = self._clock.now()
        listed = tuple((a, next_ring(a, now, self._tz)) for a in self._alarms.values())
        current = self._ringing if self._is_ringing() else None
        ringing = current.id if current is not None else None
        return AlarmStatus(listed, ringing, self._snoozed_until if ringing else None)

    def get(self, alarm_id: str) -> Alarm:
        alarm = self._alarms.get(alarm_id)
        if alarm is None:
            raise AlarmError(404, f"there is no alarm {alarm_id[:40]!r}")
        return alarm

    def next_at(self, alarm: Alarm) -> str | None:
        at = next_ring(alarm, self._clock.now(), self._tz)
        return iso_utc(at) if at is not None else None

    async def add(self, body: dict[str, Any]) -> Alarm:
        """A new alarm from an API body (InvalidAlarmError when it is none)."""
        if len(self._alarms) >= MAX_ALARMS:
            raise AlarmError(409, f"there are {MAX_ALARMS} alarms already; delete one first")
        alarm_id = "a" + secrets.token_hex(4)
        while alarm_id in self._alarms:
            alarm_id = "a" + secrets.token_hex(4)
        alarm = alarm_from_json(alarm_id, body)
        await self._keep(alarm)
        return alarm

    async def edit(self, alarm_id: str, changes: dict[str, Any]) -> Alarm:
        alarm = self._editable(alarm_id).edited(changes)
        await self._keep(alarm)
        return alarm

    async def delete(self, alarm_id: str) -> None:
        self._editable(alarm_id)
        del self._alarms[alarm_id]
        self._fired.pop(alarm_id, None)
        if self._ringing is not None and self._ringing.id == alarm_id:
            self._ringing = self._snoozed_until = None
        await self._store.delete_alarm(alarm_id)
        self._told()

    def snooze(self) -> None:
        """Pause the ringing alarm; it rings again in `snooze` seconds. For the API and the
        buttons alike: it never waits (the controller's inbox takes the pause)."""
        if not self._is_ringing():
            raise AlarmError(409, "no alarm is ringing")
        self._snoozed_until = self._clock.now() + self._timings.snooze
        if self._controller.state is PlayState.PLAYING:
            self._controller.submit_nowait(c.Pause())
        log.info("alarm snoozed until %s", iso_utc(self._snoozed_until))
        self._told()

    def snooze_nowait(self) -> None:
        """A button press: snoozes when an alarm rings, else does nothing."""
        with contextlib.suppress(AlarmError):
            self.snooze()

    # -- the loop ------------------------------------------------------------------------
    async def run(self) -> None:
        while True:
            self._changed.clear()
            now = self._clock.now()
            if self._snoozed_until is not None and now >= self._snoozed_until:
                await self._wake()
            for alarm in list(self._alarms.values()):
                ring = due(alarm, now, self._fired.get(alarm.id), self._timings.grace, self._tz)
                if ring is not None:
                    await self._fire(alarm, ring)
            await self._wait(self._until_next(self._clock.now()))

    def _until_next(self, now: float) -> float:
        times = [t for a in self._alarms.values() if (t := next_ring(a, now, self._tz))]
        if self._snoozed_until is not None:
            times.append(self._snoozed_until)
        soonest = min(times, default=now + self._timings.poll_seconds)
        return max(0.0, min(soonest - now, self._timings.poll_seconds))

    async def _wait(self, seconds: float) -> None:
        await first_done(self._changed.wait(), self._clock.sleep(seconds))

    async def _fire(self, alarm: Alarm, ring: float) -> None:
        # Written first, durably: a crash or power cut while it plays never rings it again.
        self._fired[alarm.id] = ring
        await self._store.save_firing(alarm.id, ring)
        late = self._clock.now() - ring
        log.info("alarm %s (%s) rings%s", alarm.id, alarm.time, f", {late:.0f} s late" * (late > 1))
        self._ringing, self._rang_at, self._snoozed_until = alarm, self._clock.now(), None
        self._told()
        await self._act(self._ringer.ring(alarm, still_ringing=lambda: self._rings(alarm)))

    async def _wake(self) -> None:
        alarm, self._snoozed_until = self._ringing, None
        self._told()
        if alarm is not None:
            await self._act(
                self._ringer.ring_again(alarm, still_ringing=lambda: self._rings(alarm))
            )

    async def _act(self, work: Any) -> None:
        self._acting = True
        try:
            await work
        finally:
            self._acting = False

    # -- state ---------------------------------------------------------------------------
    def _rings(self, alarm: Alarm) -> bool:
        return self._ringing is alarm and self._snoozed_until is None

    def _is_ringing(self) -> bool:
        if self._ringing is None:
            return False
        return self._clock.now() - self._rang_at <= self._timings.ring_limit

    def _editable(self, alarm_id: str) -> Alarm:
        alarm = self.get(alarm_id)
        if alarm.origin is AlarmOrigin.CONFIG:
            raise AlarmError(409, f"alarm {alarm_id} is in the config file: change it there")
        return alarm

    async def _keep(self, alarm: Alarm) -> None:
        # From now on: a ring time already passed today is not owed to a new or moved alarm.
        self._alarms[alarm.id] = alarm
        self._fired[alarm.id] = self._clock.now()
        await self._store.save_alarm(alarm)
        await self._store.save_firing(alarm.id, self._fired[alarm.id])
        self._told()

    def _told(self) -> None:
        self._changed.set()
        self._publish(AlarmsChanged(self.status()))

    def _on_controller_change(self, what: str) -> None:
        # A person who pauses, stops or plays (while snoozed) is awake: the alarm is done.
        if what != "player" or self._acting or self._ringing is None:
            return
        state = self._controller.state
        snoozing = self._snoozed_until is not None
        if snoozing == (state is PlayState.PLAYING):
            self._ringing = self._snoozed_until = None
            self._told()
