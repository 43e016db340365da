"""What the service had to repair by itself: a damaged database, a damaged or orphaned media file.

Each repair is logged where it happens and kept here for `GET /api/v1/health`, so a person who
never sees the log still learns that a database was rebuilt or a file downloaded again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class Repair:
    """One thing found wrong and what was done about it."""

    what: str  # "cache.db", "player.db" or a media file's path relative to cache_dir
    problem: str  # what was wrong, a sentence
    action: str  # what was done, a sentence ("moved aside as cache.db.damaged-...; rebuilt")
    at: str  # ISO-8601 UTC

    def to_json(self) -> dict[str, str]:
        return {"what": self.what, "problem": self.problem, "action": self.action, "at": self.at}


RepairSink = Callable[[Repair], None]


def repair(what: str, problem: str, action: str) -> Repair:
    """A repair stamped now."""
    return Repair(what, problem, action, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))


def ignore_repair(_repair: Repair) -> None:
    """The default sink: the log line is enough (tests, tools)."""
