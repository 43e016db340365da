"""The policy's reasons in a person's words, for `GET /api/v1/cache` and the Settings screen:
what the last plan keeps ready and what it waits for ("keeping the next 40 minutes of your queue",
"waiting for Wi-Fi")."""

from __future__ import annotations

from cache.planner.plan import Plan, Reason
from cache.planner.snapshot import Snapshot


def reasons(plan: Plan, snap: Snapshot) -> tuple[str, ...]:
    """Short sentences, most important first; never empty."""
    out: list[str] = []
    ahead = _queue_ready(plan, snap)
    if ahead:
        out.append(f"keeping the next {_minutes(ahead)} of your queue")
    wanted = {f.reason for f in (*plan.fetches, *plan.held)}
    if Reason.PIN in wanted:
        out.append("downloading what you asked for")
    if Reason.ALBUM in {f.reason for f in plan.fetches}:
        out.append("fetching the rest of the album you are playing")
    if plan.wait_reason is not None:
        out.append(str(plan.wait_reason))
    return tuple(out) or ("nothing to fetch now",)


def _queue_ready(plan: Plan, snap: Snapshot) -> float:
    """Seconds of the upcoming queue, from the next track on without a gap, that are on disk or
    being fetched now."""
    fetching = {f.item_id for f in plan.fetches}
    total = 0.0
    for item in snap.upcoming():
        if not (snap.is_local(item.id) or item.id in fetching):
            break
        total += item.duration
    return total


def _minutes(seconds: float) -> str:
    if seconds < 90:
        return "track" if seconds else ""
    minutes = round(seconds / 60)
    if minutes < 120:
        return f"{minutes} minutes"
    return f"{round(minutes / 60)} hours"
