"""What went wrong in playback that a person should hear about (api.md's error event)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

UNAVAILABLE = "unavailable"  # the controller's own reason: offline and not on disk


@dataclass(frozen=True, slots=True)
class TrackUnplayable:
    """A track could not be played: skipped, or playback stopped when nothing would play."""

    item_id: str
    title: str
    reason: str  # the engine's words ("loading failed"), or UNAVAILABLE
    skipped: bool

    def sentence(self) -> str:
        """What the phone shows."""
        why = (
            "it is not on this device and cannot be streamed right now"
            if self.reason == UNAVAILABLE
            else f"it could not be read ({self.reason})"
        )
        then = "skipped it" if self.skipped else "nothing in the queue would play, so it stopped"
        return f"Could not play “{self.title}”: {why}; {then}."


ProblemListener = Callable[[TrackUnplayable], None]
