"""The device's own record of its network, kept as it goes and handed to the policy in each
snapshot (Snapshot.link): the lengths of its recent outages (offline, or the server out of reach:
either way nothing can be fetched), the rate downloads reach on an unmetered link, and the longest
it has stayed on an unmetered link without a break. The service feeds it from the network watcher
and the download manager's progress, the simulator from its trace and its transfers, so both plan
from the same figures.
Kept in memory only: after a restart the device learns its link again (until then the policy
takes its full lookahead)."""

from __future__ import annotations

from collections import deque

from cache.planner.snapshot import LinkRecord

OUTAGES_KEPT = 20  # recent offline spells remembered
RATE_HORIZON = 300.0  # seconds of transfer the rate is an average over (older ones fade out)
BUSY_GAP = 5.0  # progress reports further apart than this: the link was idle in between


class LinkLog:
    """Offline spells and the download rate, measured; `record` gives the planner's view."""

    def __init__(self) -> None:
        self._offline_since: float | None = None
        self._outages: deque[float] = deque(maxlen=OUTAGES_KEPT)
        self._bytes = 0.0
        self._seconds = 0.0
        self._last_progress: float | None = None
        self._unmetered_since: float | None = None
        self._longest_stay = 0.0

    def network(self, online: bool, now: float, *, metered: bool = False) -> None:
        """The server can now be reached or not, on a metered link or not (called on every
        change; repeats are harmless)."""
        if not online and self._offline_since is None:
            self._offline_since = now
        elif online and self._offline_since is not None:
            self._outages.append(max(0.0, now - self._offline_since))
            self._offline_since = None
        unmetered = online and not metered
        if unmetered and self._unmetered_since is None:
            self._unmetered_since = now
        elif not unmetered and self._unmetered_since is not None:
            self._longest_stay = max(self._longest_stay, now - self._unmetered_since)
            self._unmetered_since = None

    def moved(self, nbytes: float, seconds: float) -> None:
        """Transfers on an unmetered link moved `nbytes` in `seconds` during which they ran."""
        if seconds <= 0 or nbytes < 0:
            return
        self._bytes += nbytes
        self._seconds += seconds
        if self._seconds > RATE_HORIZON:
            keep = RATE_HORIZON / self._seconds
            self._bytes *= keep
            self._seconds = RATE_HORIZON

    def progress(self, nbytes: float, now: float) -> None:
        """A download reported `nbytes` more at `now` (the service's download events, of all
        transfers together): the time since the previous report is transfer time, unless the
        link was idle in between (the first report after a pause says nothing of the rate)."""
        last, self._last_progress = self._last_progress, now
        if last is not None and now - last <= BUSY_GAP:
            self.moved(nbytes, now - last)

    def record(self, now: float) -> LinkRecord:
        """The figures as the planner reads them at `now` (the clock `network` is given)."""
        rate = self._bytes / self._seconds if self._seconds > 0 else None
        stay = self._longest_stay
        if self._unmetered_since is not None:
            stay = max(stay, now - self._unmetered_since)
        return LinkRecord(tuple(self._outages), rate, stay)
