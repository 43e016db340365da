"""The card as the service sees it: the room kept for the databases, and what is wrong right now.

A full card must neither stop playback nor the next start (cache/reserve.py says how the room is
kept); this is where the player hears of a failing checkpoint and of a card too full to hold the
reserve, and where `GET /api/v1/health` reads both.
"""

from __future__ import annotations

import asyncio

from cache.reserve import SpaceReserve

CARD_FULL = "the card is nearly full: delete downloads to make room"


class StorageWatch:
    """The reserve in the state folder and the storage problems of the moment, by topic."""

    def __init__(self, reserve: SpaceReserve) -> None:
        self.reserve = reserve
        self.problems: dict[str, str] = {}

    async def settle(self) -> None:
        """At start, before any database opens: on a full card the reserve goes to them."""
        await asyncio.to_thread(self.reserve.settle)

    async def run(self, interval: float = 60.0) -> None:
        """Keep the reserve (made again once there is room) and the card-full problem current."""
        await self.reserve.run(interval, self._card_full)

    def checkpoint_trouble(self, message: str | None) -> None:
        """Checkpointer hook: a failing save gets the reserved room, and shows until one works."""
        if message is None:
            self.problems.pop("checkpoint", None)
            return
        self.problems["checkpoint"] = message
        self.reserve.release("a checkpoint failed")

    def _card_full(self, full: bool) -> None:
        if full:
            self.problems["card"] = CARD_FULL
        else:
            self.problems.pop("card", None)
