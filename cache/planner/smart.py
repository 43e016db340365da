"""The `smart` policy (the default): minutes of lookahead per network class, the whole queue on an
unmetered network when the device is seen listening away from it, pins first and never evicted,
played automatic copies evicted first, a free-space floor, and no thrashing on queue changes.

Order of wants: the next tracks (a few minutes), the user's pins, the rest of the lookahead, the rest of
the queue (when taking it whole), then album affinity into space that is already free. Everything in
the queue window, the current and the next track are protected from eviction, so a long queue fills the
budget in queue order instead of evicting its own tail. When the queue is replaced, partials of items
still wanted are resumed; what the old queue fetched stays on disk until its room is needed, and is then
evicted oldest-fetched first (a queue that comes back finds its newest tracks still there).

Measured in the simulator (tests/bench/test_bench_policies.py, test_bench_unseen.py), refinements:
- a device with too little history to say whether it roams is treated as roaming (a car's first
  drive), but takes only UNSEEN_DEVICE_SECONDS of listening ahead, not the whole queue: a kitchen
  speaker's first queue may be a shuffled day of music, and most of it was left unplayed on disk
  (issue 18's kitchen-shuffle: waste 0.29-0.32 with the whole queue, 0.19-0.26 with two hours,
  and the commuting traces' hit rates unchanged; one hour cost sample-commute 0.910 -> 0.845),
  and only its lookahead once it has stayed SETTLED_STAY on an unmetered link without a break
  (LinkRecord.longest_stay): a car is on the home Wi-Fi for minutes before a drive, a kitchen
  speaker for hours before its first queue (kitchen-shuffle waste 0.12-0.21 -> 0.10-0.13,
  sample-kitchen 0.21 -> 0.18, weekend-away 0.03-0.09 -> 0.01-0.02, hit rates unchanged but
  sample-kitchen's 0.962 -> 0.960; the commuting traces' first queues come a minute or two after
  joining the Wi-Fi, and are unchanged);
- on a link the device measured as fast against the listening (LinkRecord, FAST_LINK times what
  the listener goes through, skips included), the lookahead is twice the longest recent outage,
  at least the urgent minutes, at most the configured ones: a track arrives in seconds there, and
  the rest of the minutes was the overshoot left unplayed at each session's end (kitchen-shuffle
  waste 0.19-0.26 -> 0.12-0.21; a slow link such as the queue hopper's keeps the full minutes);
- the next track, while it is not on disk, downloads alone: with the link shared it arrives later, and
  a queue that was just set starts playing within seconds; a roaming device downloads one file at a
  time throughout, since a half-downloaded file is worth nothing once the Wi-Fi is gone;
- the lookahead counts minutes of listening, not of audio: a listener who skips hears a fraction of
  each track (signals.listen_share), so the same minutes hold more tracks;
- album affinity adds only the rest of the album now playing, never what the queue already holds
  (the queue's own lookahead decides about those), and nothing once the queue has moved on;
- a queue left a long pause ago (signals.LONG_PAUSE, nothing playing, no queue set since) is not
  fetched further when this listener, after most such pauses, opened another album instead of going
  on (signals.resume_share): its tail would be waste and would take the link and the room the next
  queue needs. A listener who comes back to where they stopped keeps it. An album heard to its end
  before the pause and another opened after it says nothing either way (a car's queue of albums
  goes on so, and a new queue starts so), and is not counted.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable

from cache.models import AlbumId, ItemId
from cache.planner.config import CacheConfig, PolicyName
from cache.planner.packing import Want, is_unmetered, network_wait, pack, storage_budget
from cache.planner.plan import Evict, Plan, Reason, Wait
from cache.planner.signals import (
    LONG_PAUSE,
    album_streaks,
    listen_share,
    resume_share,
    roams,
    seen_enough,
)
from cache.planner.snapshot import FileState, Item, NetworkKind, Origin, Snapshot

URGENT_SECONDS = 300.0  # audio that must be ready before pins compete for bandwidth
FAST_LINK = 10.0  # a link this many times faster than the listening consumes is fast
OUTAGE_MARGIN = 2.0  # a steady link's lookahead: this many times its longest recent outage
PACE_TRACKS = 10  # upcoming tracks whose sizes say how fast the listening consumes bytes
RAMP_START_SECONDS = 600.0  # lookahead of a queue just set
RAMP_FACTOR = 1.0  # lookahead seconds gained per second the queue is kept
UNSEEN_DEVICE_SECONDS = 7200.0  # listening taken ahead by a device not yet seen at home or away
RESUME_MIN = 0.5  # below this share of queues resumed after a long pause, a left queue waits
SETTLED_STAY = 3600.0  # an unseen device that stayed this long on an unmetered link lives there

MayRun = Callable[[Want], Wait | None]


class SmartPolicy:
    """The service's default policy; see the module docstring for its rules."""

    name = PolicyName.SMART

    def __init__(self, config: CacheConfig) -> None:
        self.config = config

    def plan(self, snap: Snapshot) -> Plan:
        """Decide fetches, cancels and evictions for this snapshot (pure: no state kept)."""
        roaming = _expects_to_leave(snap)
        core = self._core(snap, roaming)
        wants = _dedupe([*core, *self._album_wants(snap)])
        protected = {w.item.id for w in core} | _current_and_next(snap)
        victims = _victims(snap, protected)
        budget = storage_budget(snap, self.config, self.config.min_free_bytes)
        floor = _restore_floor(victims, budget)
        budget += sum(v.bytes_on_disk for v in floor)
        may_run = self._may_run(snap)
        wants = _first_alone(snap, wants, may_run, serial=roaming)
        plan = pack(snap, wants, victims[len(floor) :], budget, may_run)
        if not floor:
            return plan
        extra = tuple(Evict(v.item_id, "free-space floor") for v in floor)
        return dataclasses.replace(plan, evictions=extra + plan.evictions)

    def wanted(self, snap: Snapshot) -> tuple[ItemId, ...]:
        """Every item this policy wants on disk now, in order, before storage, the network and
        one-file-at-a-time narrow it down to a plan (for tests and diagnostics)."""
        core = self._core(snap, _expects_to_leave(snap))
        return tuple(w.item.id for w in _dedupe([*core, *self._album_wants(snap)]))

    def _core(self, snap: Snapshot, roaming: bool) -> list[Want]:
        """The next minutes of the queue, then pins, then the rest of the queue window."""
        urgent, later = _split(self._window(snap, roaming), URGENT_SECONDS)
        pins = [Want(p, Reason.PIN, Origin.USER) for p in snap.pins]
        return _dedupe([*urgent, *pins, *later])

    def _may_run(self, snap: Snapshot) -> MayRun:
        return lambda w: network_wait(snap.network, self.config, w.origin)

    def _window(self, snap: Snapshot, roaming: bool) -> list[Want]:
        if not self.config.queue_precache_enabled:
            return []
        if _left_behind(snap):
            return []
        upcoming = snap.upcoming()
        share = listen_share(snap.history, {i.id: i.duration for i in snap.queue})
        if roaming and self.config.whole_queue_on_unmetered and is_unmetered(snap.network):
            seconds = math.inf if seen_enough(snap.history) else UNSEEN_DEVICE_SECONDS
            return _ahead(upcoming, seconds, share)
        return _ahead(upcoming, self._lookahead_seconds(snap, share), share)

    def _lookahead_seconds(self, snap: Snapshot, share: float) -> float:
        metered = snap.network.kind is NetworkKind.CELLULAR or snap.network.metered
        if metered and not self.config.wifi_only:
            full = 60.0 * self.config.lookahead_minutes_metered
        else:
            full = 60.0 * self.config.lookahead_minutes_unmetered
            full = min(full, _steady_link_seconds(snap, share) or full)
        if snap.queue_since is None:
            return full
        # a fresh queue is often replaced again within minutes: grow the lookahead as it is kept
        kept = snap.now - snap.queue_since
        return min(full, max(RAMP_START_SECONDS, RAMP_FACTOR * kept))

    def _album_wants(self, snap: Snapshot) -> list[Want]:
        if not (self.config.album_affinity_enabled and is_unmetered(snap.network)):
            return []
        if not snap.history or _queue_moved_on(snap):
            return []
        playing = snap.history[-1].album_id
        if playing not in album_streaks(snap.history, self.config.album_affinity_threshold):
            return []
        return list(_rest_of_album(snap, playing))


def _expects_to_leave(snap: Snapshot) -> bool:
    """Whether the device should expect to lose its unmetered link while the queue plays: as its
    plays say (signals.roams), except that a device with too few plays to tell, which has already
    stayed an hour on an unmetered link without a break, is taken for one that lives there (a car
    is on the home Wi-Fi for minutes before each drive; a kitchen speaker sits on it for hours)."""
    if not seen_enough(snap.history) and snap.link.longest_stay >= SETTLED_STAY:
        return False
    return roams(snap.history)


def _steady_link_seconds(snap: Snapshot, share: float) -> float | None:
    """The lookahead a link this device measured as fast needs: enough to play through its
    longest recent outage twice over (and never less than the urgent minutes). On such a link a
    track is fetched in a few seconds, so more ahead buys nothing while home but the waste of what
    the listener never reaches. None (the full lookahead) while the link is unmeasured or slow
    against the rate this listener goes through the queue (skips included)."""
    rate = snap.link.throughput
    upcoming = snap.upcoming()[:PACE_TRACKS]
    heard = sum(i.duration for i in upcoming) * share
    if rate is None or heard <= 0:
        return None
    if rate < FAST_LINK * sum(i.size for i in upcoming) / heard:
        return None
    return max(URGENT_SECONDS, OUTAGE_MARGIN * max(snap.link.outages, default=0.0))


def _left_behind(snap: Snapshot) -> bool:
    """The queue was left a long pause ago by a listener who, after such pauses, starts a new one."""
    if snap.playing or not snap.history:
        return False
    last = snap.history[-1].at
    if snap.now - last < LONG_PAUSE or (snap.queue_since or 0.0) > last:
        return False
    openers = {items[0].id for items in snap.albums.values() if items}
    closers = {items[-1].id for items in snap.albums.values() if items}
    share = resume_share(
        snap.history, lambda p: p.item_id in openers, lambda p: p.item_id in closers
    )
    return share < RESUME_MIN


def _queue_moved_on(snap: Snapshot) -> bool:
    """A queue was set that does not hold the track playing: the listener has moved on."""
    return bool(snap.queue) and all(i.id != snap.current for i in snap.queue)


def _rest_of_album(snap: Snapshot, album_id: AlbumId) -> Iterable[Want]:
    played = {p.item_id for p in snap.history if p.album_id == album_id}
    queued = {i.id for i in snap.queue}
    for item in snap.albums.get(album_id, ()):
        if item.id not in played and item.id not in queued:
            yield Want(item, Reason.ALBUM, may_evict=False)


def _first_alone(snap: Snapshot, wants: list[Want], may_run: MayRun, *, serial: bool) -> list[Want]:
    """Only the first missing want, when it is the next track (or `serial`) and may run now: the
    simulator and a real link both share bandwidth, so one file alone is complete soonest."""
    todo = [w for w in wants if not snap.is_local(w.item.id)]
    if not todo or may_run(todo[0]) is not None:
        return wants
    upcoming = snap.upcoming()
    if serial or (upcoming and todo[0].item.id == upcoming[0].id):
        return todo[:1]
    return wants


def _ahead(upcoming: Iterable[Item], seconds: float, share: float) -> list[Want]:
    """The upcoming items that fill `seconds` of listening, each heard for `share` of its length."""
    out: list[Want] = []
    total = 0.0
    for item in upcoming:
        if out and total >= seconds:
            break
        out.append(Want(item, Reason.QUEUE))
        total += item.duration * share
    return out


def _split(window: list[Want], seconds: float) -> tuple[list[Want], list[Want]]:
    total = 0.0
    for n, want in enumerate(window):
        if total >= seconds:
            return window[:n], window[n:]
        total += want.item.duration
    return window, []


def _dedupe(wants: Iterable[Want]) -> list[Want]:
    seen: set[ItemId] = set()
    out: list[Want] = []
    for w in wants:
        if w.item.id not in seen:
            seen.add(w.item.id)
            out.append(w)
    return out


def _current_and_next(snap: Snapshot) -> set[ItemId]:
    ids: set[ItemId] = set()
    if snap.current is not None:
        ids.add(snap.current)
    upcoming = snap.upcoming()
    if upcoming:
        ids.add(upcoming[0].id)
    return ids


def _victims(snap: Snapshot, protected: set[ItemId]) -> list[FileState]:
    """Automatic copies nobody needs now, cheapest loss first: files outside the queue before files
    anywhere in it (a jump or a going back starts those: issue 18's queue hopper), and within each,
    stale partials, then played copies (least recently used first), then unplayed ones (oldest
    fetched first)."""
    pinned = {p.id for p in snap.pins}
    queued = {i.id for i in snap.queue}
    out = [
        f
        for f in snap.files.values()
        if f.origin is Origin.AUTO and f.item_id not in protected and f.item_id not in pinned
    ]
    return sorted(out, key=lambda f: (f.item_id in queued, *_victim_key(f)))


def _victim_key(f: FileState) -> tuple[int, float, str]:
    if not f.complete:
        return (0, f.fetched_at, f.item_id)
    if f.played:
        return (1, f.last_access, f.item_id)
    return (2, f.fetched_at, f.item_id)


def _restore_floor(victims: list[FileState], budget: int) -> list[FileState]:
    """The victims to delete now because the disk is below the floor or the cache over its limit."""
    out: list[FileState] = []
    for v in victims:
        if budget >= 0:
            break
        out.append(v)
        budget += v.bytes_on_disk
    return out
