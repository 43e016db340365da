"""The one plan executor: a Plan and the downloader's requests in, the steps that carry the plan out.

The device (cache/precache/, over the download manager) and the simulator (cache/simulate/, over
its simulated disk) both run these steps, so the simulator measures what the device does:
- evict what the plan evicts;
- hold every automatic request the plan does not want running now (its partial file stays for a
  Range resume); a request held for the storage limit or the disk says so;
- queue what the plan fetches, in its order, and what it holds only for the network (the gate
  starts it the moment the link allows, with no replan in between).
A person's downloads are theirs: never created, held, evicted or reordered here (one the executor
held while it was still automatic is resumed). A download a person paused stays paused.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from cache.models import ItemId
from cache.planner.plan import Fetch, Plan, Wait
from cache.planner.snapshot import Origin

NOT_NEEDED = "not needed yet"  # the wait_reason of an automatic request the plan let go
TOP_PRIORITY = 100  # wanted items get 100, 99, ... in plan order; a person's downloads default to 0
NETWORK_WAITS = frozenset({Wait.WIFI, Wait.NETWORK, Wait.SERVER})
HOLD_REASONS = frozenset({NOT_NEEDED, *(str(w) for w in Wait)})  # holds that are the executor's


class Verb(StrEnum):
    """What a step asks of the downloader."""

    EVICT = "evict"  # delete the automatic copy, complete or partial, and its request
    HOLD = "hold"  # stop and keep the request aside, saying why
    FETCH = "fetch"  # queue (or resume a held request) at least at `priority`


@dataclass(frozen=True, slots=True)
class Step:
    """One request to the downloader."""

    verb: Verb
    item_id: ItemId
    origin: Origin = Origin.AUTO
    priority: int = 0
    reason: str | None = None


class State(StrEnum):
    """Where a request stands, as far as the executor is concerned."""

    QUEUED = "queued"  # waiting for a slot or running
    HELD = "held"  # set aside by the executor (one of HOLD_REASONS)
    PAUSED = "paused"  # set aside by a person or by a full disk: not the executor's to resume


@dataclass(frozen=True, slots=True)
class Request:
    """A download the downloader has for an item."""

    item_id: ItemId
    origin: Origin
    priority: int
    state: State


def steps(plan: Plan, requests: Mapping[ItemId, Request]) -> list[Step]:
    """The steps that carry `plan` out over the downloader's current `requests`; only the ones
    that change something, in a fixed order (evictions, holds, then fetches in plan order)."""
    out = [Step(Verb.EVICT, e.item_id) for e in plan.evictions]
    evicted = {e.item_id for e in plan.evictions}
    wanted = _wanted(plan)
    held_for = {f.item_id: str(f.wait or Wait.STORAGE) for f in plan.held}
    for request in sorted(requests.values(), key=lambda r: r.item_id):
        if _to_hold(request, wanted, evicted):
            reason = held_for.get(request.item_id, NOT_NEEDED)
            out.append(Step(Verb.HOLD, request.item_id, reason=reason))
    for n, fetch in enumerate(wanted.values()):
        step = _fetch_step(fetch, max(1, TOP_PRIORITY - n), requests.get(fetch.item_id))
        if step is not None and fetch.item_id not in evicted:
            out.append(step)
    return out


def _wanted(plan: Plan) -> dict[ItemId, Fetch]:
    """The fetches to have queued, in plan order: what may run now, then what waits only for the
    network (the gate holds those until the link allows)."""
    waiting = (f for f in plan.held if f.wait in NETWORK_WAITS)
    return {f.item_id: f for f in itertools.chain(plan.fetches, waiting)}


def _to_hold(request: Request, wanted: Mapping[ItemId, Fetch], evicted: set[ItemId]) -> bool:
    return (
        request.origin is Origin.AUTO
        and request.state is State.QUEUED
        and request.item_id not in wanted
        and request.item_id not in evicted
    )


def _fetch_step(fetch: Fetch, priority: int, request: Request | None) -> Step | None:
    if request is None:
        # a pin always has its row; only automatic copies are the executor's to ask for
        return Step(Verb.FETCH, fetch.item_id, Origin.AUTO, priority) if _auto(fetch) else None
    if request.state is State.PAUSED:
        return None  # a person's pause, or a full disk: the disk watcher resumes those
    if request.state is State.HELD:
        return Step(Verb.FETCH, fetch.item_id, request.origin, priority)
    if request.origin is Origin.AUTO and request.priority < priority:
        return Step(Verb.FETCH, fetch.item_id, Origin.AUTO, priority)
    return None


def _auto(fetch: Fetch) -> bool:
    return fetch.origin is Origin.AUTO
