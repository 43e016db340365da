"""The events WebSocket: a snapshot on connect, then one message per change."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

from aiohttp import WSMsgType, web

from player.services import Services
from player.web.errors import bad_request
from player.web.keys import services
from player.web.spec import Param, RouteTable
from player.web.wire import house_json, to_text

log = logging.getLogger(__name__)
routes = RouteTable()


QUEUE_FORMS = ("full", "changes")
EVENT_PARAMS = (
    Param(
        "queue",
        description="'full' (api.md: each queue event carries the whole Queue) or 'changes':"
        " each queue event carries {queue: {index, version, total}, change: {since, reset,"
        " inserted: [{index, entry}], removed: [entry_id], moved: [{entry_id, to}]}}",
    ),
)


@routes.route(
    "GET",
    "/api/v1/events",
    "Live events (WebSocket): snapshot, then changes",
    "events",
    websocket=True,
    params=EVENT_PARAMS,
)
async def events(request: web.Request) -> web.WebSocketResponse:
    svc = services(request)
    form = request.query.get("queue", "full")
    if form not in QUEUE_FORMS:
        raise bad_request("query parameter 'queue' must be 'full' or 'changes'")
    ws = web.WebSocketResponse(heartbeat=20.0, max_msg_size=4096)
    await ws.prepare(request)
    # before the snapshot, so nothing between the two is lost
    sub = svc.bus.subscribe(on_overflow=lambda: _cut_off(request), changes=form == "changes")
    try:
        await ws.send_str(to_text(await snapshot(svc)))
        reader = asyncio.create_task(_drain_incoming(ws))
        try:
            while (text := await _next_or_closed(sub.next(), reader)) is not None:
                await ws.send_str(text)
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
    except (ConnectionError, asyncio.CancelledError):
        pass  # the client left, or was cut off for falling behind (the bus logged that)
    finally:
        svc.bus.unsubscribe(sub)
        await ws.close()
    return ws


async def snapshot(svc: Services) -> dict[str, Any]:
    """The first message every events client gets."""
    page = await svc.media.downloads.list_downloads(limit=1)
    message: dict[str, Any] = {
        "type": "snapshot",
        "player": svc.controller.player_json(),
        "queue": svc.controller.queue.to_json(),
        "downloads": {"active_count": page.active_count, "queued_count": page.queued_count},
        "network": svc.precache.network.current.to_json(),
        "cache": await svc.precache.cache_json(),
    }
    if svc.snapcast is not None:  # multiroom: the rooms as a `rooms` event has them (no GET needed)
        message["rooms"] = house_json(svc.snapcast)
    return message


def _cut_off(request: web.Request) -> None:
    # abort(), not close(): close() would wait to flush what the client is not reading.
    transport = request.transport
    if transport is not None:
        transport.abort()


async def _next_or_closed(
    next_message: Coroutine[Any, Any, str | None], reader: asyncio.Task[None]
) -> str | None:
    """The next bus message, or None when the client went away or the subscription ended."""
    getter = asyncio.ensure_future(next_message)
    try:
        done, _ = await asyncio.wait({getter, reader}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        # asyncio.wait leaves its tasks running when the handler itself is cancelled (the
        # server stopping): a getter left behind would wait on the bus for ever.
        if not getter.done():
            getter.cancel()
    if getter in done:
        result: str | None = getter.result()
        return result
    return None


async def _drain_incoming(ws: web.WebSocketResponse) -> None:
    # Clients only listen; reading keeps pings/pongs and the close handshake flowing.
    async for msg in ws:
        if msg.type == WSMsgType.ERROR:
            break
