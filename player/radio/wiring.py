"""The radio room in the service: the station list (after playback: player.db exists by then),
joined to the controller's resolver and to its Player object."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from player.config import Config
from player.playback.controller import PlayerController
from player.radio.resolver import RadioResolver
from player.radio.stations import RadioBook


@contextlib.asynccontextmanager
async def open_radio(config: Config, controller: PlayerController) -> AsyncIterator[RadioBook]:
    book = await RadioBook.open(config.state_dir / "player.db", config.radio)
    try:
        # Before anything plays: the controller's task has not started yet.
        resolver = RadioResolver(book, controller.link.resolver)
        controller.link.resolver = resolver
        controller.item_json = resolver.item_json
        yield book
    finally:
        await book.close()
