"""The one remote request the phone page shows: a message a person sent from a Jellyfin app.

Apart from the rest of the requests (messages.py) so the page's wire forms (player/web/wire.py)
can name it without importing the remote-control parser at every start, Jellyfin or not.
"""

from __future__ import annotations

from dataclasses import dataclass

from cache.events import CacheEvent


@dataclass(frozen=True, slots=True)
class DisplayMessage(CacheEvent):
    """A message a person sent from a Jellyfin app, for the phone page."""

    header: str
    text: str
