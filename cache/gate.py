"""The one gate: whether a transfer may start (or go on) now. The device's download scheduler and
the simulator's consult the same rules, so `tapedeck simulate` measures what the device does.

Four things hold a transfer:
- the network, per origin (`wifi_only`; a person's download on a metered link when
  `pins_on_metered` says so);
- the free-space floor `min_free_bytes` (never below `DATABASE_ROOM`), for every origin: a
  person's download must not fill the card either (the state databases and the checkpoint live
  there too);
- the storage limit, for automatic copies only: a person asked for theirs;
- the number of transfers at once (`max_concurrent_downloads`, and the downloader's own cap).

Bytes that running transfers have still to write are reserved before another one is admitted,
so two transfers admitted together never overshoot a limit that each alone would respect.

A person's download comes first: it starts before any waiting automatic one, and the bytes of
one that waits for space are kept for it, so no automatic copy starts into them, and a running
automatic copy that would write into them is stopped (`preempted`; its part file stays for a
Range resume, and the planner may evict it for the pin). Never the other way round.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from cache.planner.config import CacheConfig
from cache.planner.network import network_wait
from cache.planner.plan import Wait
from cache.planner.snapshot import DiskState, NetState, NetworkKind, Origin

T = TypeVar("T")

# Room a download never takes from the filesystem it writes to. On a Pi the state databases share
# the card with the cache: a download that took the last bytes would leave SQLite unable to save
# the queue, pause the download or even open its files at the next start. The part writer
# (cache/downloads/writer.py) refuses a write that would cross it, so the gate holds it as the
# least floor: a transfer admitted under a lower `min_free_bytes` would only fail at its end.
DATABASE_ROOM = 1024 * 1024


def floor(config: CacheConfig) -> int:
    """The free bytes no transfer may take: `min_free_bytes`, and never below the databases' room."""
    return max(config.min_free_bytes, DATABASE_ROOM)


@dataclass(frozen=True, slots=True)
class Transfer:
    """A transfer as the gate sees it: whose it is and the bytes it has still to write (0 when
    the size is not known yet)."""

    origin: Origin
    remaining: int


@dataclass(frozen=True, slots=True)
class Conditions:
    """The world a decision is made in: the link, and the disk (`used_bytes` the cache's own,
    `free_bytes` the filesystem's)."""

    network: NetState
    disk: DiskState


def wait_reason(config: CacheConfig, cond: Conditions, origin: Origin) -> Wait | None:
    """Why no transfer of `origin` may run now (running ones stop too), or None."""
    reason = network_wait(cond.network, config, origin)
    if reason is not None:
        return reason
    if cond.disk.free_bytes < floor(config):
        return Wait.DISK
    if origin is Origin.AUTO and cond.disk.used_bytes >= config.storage_limit:
        return Wait.STORAGE
    return None


def blocked(
    config: CacheConfig, cond: Conditions, transfer: Transfer, reserved: int = 0
) -> Wait | None:
    """Why `transfer` may not start beside running ones that still have `reserved` bytes to
    write, or None when it may."""
    reason = wait_reason(config, cond, transfer.origin)
    if reason is not None:
        return reason
    if cond.disk.free_bytes - reserved - transfer.remaining < floor(config):
        return Wait.DISK
    over = cond.disk.used_bytes + reserved + transfer.remaining > config.storage_limit
    if transfer.origin is Origin.AUTO and over:
        return Wait.STORAGE
    return None


def admit(
    config: CacheConfig,
    cond: Conditions,
    running: Sequence[Transfer],
    queued: Sequence[T],
    transfer: Callable[[T], Transfer],
    slots: int,
) -> list[T]:
    """Of `queued` (a person's first, then in queue order), the ones that may start now beside
    `running`: at most `max_concurrent_downloads` (and `slots`, the downloader's own cap) at
    once, each fitting the floor and its limit with the running ones' remaining bytes reserved,
    an automatic one also with the bytes of a person's that waits. One that does not fit does
    not hold back a later one that does."""
    free = min(slots, config.max_concurrent_downloads) - len(running)
    reserved = sum(t.remaining for t in running)
    kept = 0  # bytes of a person's waiting downloads: not for an automatic copy to take
    out: list[T] = []
    for candidate in persons_first(queued, transfer):
        t = transfer(candidate)
        extra = kept if t.origin is Origin.AUTO else 0
        if len(out) < free and blocked(config, cond, t, reserved + extra) is None:
            out.append(candidate)
            reserved += t.remaining
        elif t.origin is Origin.USER:
            kept += t.remaining  # the network never holds a person's and lets an automatic one run
    return out


def preempted(
    config: CacheConfig,
    cond: Conditions,
    running: Sequence[T],
    queued: Sequence[T],
    transfer: Callable[[T], Transfer],
) -> list[T]:
    """The running automatic transfers to stop because they would write into the space a
    queued person's download needs (`running` in the order they started; the later ones go
    first). None while no person's download waits."""
    waiting = [t for t in map(transfer, queued) if t.origin is Origin.USER]
    if not waiting:
        return []
    by_origin = [(r, transfer(r)) for r in running]
    reserved = sum(t.remaining for _, t in by_origin if t.origin is Origin.USER)
    reserved += sum(t.remaining for t in waiting)
    out: list[T] = []
    for r, t in by_origin:
        if t.origin is not Origin.AUTO:
            continue
        if cond.disk.free_bytes - reserved - t.remaining < floor(config):
            out.append(r)
        else:
            reserved += t.remaining
    return out


@dataclass(frozen=True, slots=True)
class Turn(Generic[T]):
    """One scheduling turn's decisions: the running transfers to put back in the queue (their
    part files stay), then the queued ones to start."""

    stop: list[T]
    start: list[T]


def turn(
    config: CacheConfig,
    cond: Conditions,
    running: Sequence[T],
    queued: Sequence[T],
    transfer: Callable[[T], Transfer],
    slots: int,
) -> Turn[T]:
    """The device's and the simulator's scheduling turn: stop what a waiting person's download
    needs the room of (`preempted`), then admit beside the rest (`admit`)."""
    stop = preempted(config, cond, running, queued, transfer)
    going_on = [transfer(r) for r in running if not any(r is s for s in stop)]
    return Turn(stop, admit(config, cond, going_on, queued, transfer, slots))


def persons_first(queued: Sequence[T], transfer: Callable[[T], Transfer]) -> list[T]:
    """`queued` with a person's downloads before the automatic ones, each in its own order."""
    return sorted(queued, key=lambda q: transfer(q).origin is not Origin.USER)


def stream_wait(config: CacheConfig, cond: Conditions) -> Wait | None:
    """Why a track that must stream cannot go through the cache now, or None. Only the network
    and the free-space floor: what plays is fetched on any link (a metered one too), and the
    storage limit decides what is kept afterwards, not whether it plays."""
    if cond.network.kind is NetworkKind.OFFLINE:
        return Wait.NETWORK
    if not cond.network.server_reachable:
        return Wait.SERVER
    if cond.disk.free_bytes < floor(config):
        return Wait.DISK
    return None


def keeps(config: CacheConfig, cond: Conditions, origin: Origin, uncounted: int = 0) -> bool:
    """Whether a streamed-through file may stay as a cached copy once its bytes are all there: a
    person's download always; an automatic one when an automatic copy may be written on this link
    and the cache, with the `uncounted` bytes of the file it does not count yet, fits its limit."""
    if origin is Origin.USER:
        return True
    if network_wait(cond.network, config, Origin.AUTO) is not None:
        return False
    if cond.disk.free_bytes < floor(config):
        return False
    return cond.disk.used_bytes + uncounted <= config.storage_limit
