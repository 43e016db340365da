"""The one plan executor (cache/executor.py): which steps a plan becomes over the requests a
downloader already has."""

from __future__ import annotations

from cache.executor import NOT_NEEDED, Request, State, Step, Verb, steps
from cache.models import ItemId
from cache.planner import Evict, Fetch, Origin, Plan, Reason, Wait

A, B, C, D = (ItemId(x) for x in "abcd")


def fetch(item_id: ItemId, origin: Origin = Origin.AUTO, wait: Wait | None = None) -> Fetch:
    return Fetch(item_id, 0, Reason.QUEUE, origin, wait)


def request(
    item_id: ItemId, state: State = State.QUEUED, origin: Origin = Origin.AUTO, priority: int = 100
) -> Request:
    return Request(item_id, origin, priority, state)


def test_fetches_are_queued_in_plan_order_with_falling_priorities() -> None:
    plan = Plan(fetches=(fetch(A), fetch(B)))
    assert steps(plan, {}) == [
        Step(Verb.FETCH, A, Origin.AUTO, 100),
        Step(Verb.FETCH, B, Origin.AUTO, 99),
    ]


def test_a_plan_already_carried_out_asks_for_nothing() -> None:
    plan = Plan(fetches=(fetch(A), fetch(B)))
    have = {A: request(A, priority=100), B: request(B, priority=99)}
    assert steps(plan, have) == []


def test_held_for_the_network_stays_queued_held_for_room_does_not_start() -> None:
    plan = Plan(
        held=(fetch(A, wait=Wait.WIFI), fetch(B, wait=Wait.STORAGE), fetch(C, wait=Wait.STORAGE))
    )
    have = {C: request(C)}
    assert steps(plan, have) == [
        Step(Verb.HOLD, C, reason=str(Wait.STORAGE)),
        Step(Verb.FETCH, A, Origin.AUTO, 100),
    ]


def test_automatic_requests_not_wanted_are_held_a_persons_never() -> None:
    have = {A: request(A), B: request(B, origin=Origin.USER), C: request(C, State.HELD)}
    assert steps(Plan(), have) == [Step(Verb.HOLD, A, reason=NOT_NEEDED)]


def test_a_held_request_wanted_again_is_fetched_a_paused_one_is_left_alone() -> None:
    plan = Plan(fetches=(fetch(A), fetch(B)))
    have = {A: request(A, State.HELD), B: request(B, State.PAUSED)}
    assert steps(plan, have) == [Step(Verb.FETCH, A, Origin.AUTO, 100)]


def test_a_persons_download_is_theirs_unless_the_executor_held_it() -> None:
    plan = Plan(fetches=(fetch(A), fetch(B, Origin.USER), fetch(C, Origin.USER)))
    have = {
        B: request(B, origin=Origin.USER, priority=0),
        C: request(C, State.HELD, origin=Origin.USER, priority=0),  # held, then pinned
    }
    assert steps(plan, have) == [
        Step(Verb.FETCH, A, Origin.AUTO, 100),
        Step(Verb.FETCH, C, Origin.USER, 98),
    ]
    assert steps(plan, {}) == [Step(Verb.FETCH, A, Origin.AUTO, 100)]


def test_evictions_come_first_and_what_is_evicted_is_neither_held_nor_fetched() -> None:
    plan = Plan(fetches=(fetch(D),), evictions=(Evict(A, "making room"), Evict(D, "x")))
    have = {A: request(A), B: request(B)}
    assert steps(plan, have) == [
        Step(Verb.EVICT, A),
        Step(Verb.EVICT, D),
        Step(Verb.HOLD, B, reason=NOT_NEEDED),
    ]
