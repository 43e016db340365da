"""Every route table of the v1 API, in one list for the app factory and the OpenAPI document."""

from player.web.routes import (
    alarms,
    cache,
    collections,
    downloads,
    events,
    library,
    pairing,
    player,
    queue,
    radio,
    rooms,
    sleep,
    slskd,
    system,
)
from player.web.routes.system import STATIC_DIR

ALL_ROUTES = [
    system.routes,
    player.routes,
    queue.routes,
    library.routes,
    collections.routes,
    events.routes,
    pairing.routes,
    downloads.routes,
    cache.routes,
    slskd.routes,
    rooms.routes,
    sleep.routes,
    alarms.routes,
    radio.routes,
]

__all__ = ["ALL_ROUTES", "STATIC_DIR"]
