"""What the remote-control room tells the phone page (its JSON is made in player/web/wire.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RemoteProblem:
    """A cast that could not be done as asked, for a person to know (api.md's `error` event)."""

    code: str
    message: str
    item_id: str | None = None
