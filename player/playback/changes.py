"""The controller's change events for the bus: the JSON is made by player/web/wire.py, and only
when a client listens, from the controller's state at that moment (publishing is synchronous)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from player.playback.controller import PlayerController


@dataclass(frozen=True, slots=True)
class PlayerChanged:
    """Playback state (state, position, volume...) changed."""

    controller: PlayerController


@dataclass(frozen=True, slots=True)
class QueueChanged:
    """The play queue changed."""

    controller: PlayerController


def playback_changed(controller: PlayerController, what: str) -> PlayerChanged | QueueChanged:
    """The event for one controller listener call ("player" or "queue")."""
    return QueueChanged(controller) if what == "queue" else PlayerChanged(controller)
