"""An unplayable track skipped sends api.md's error event (issue 13 item 14)."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from player.engine.fake import FakeEngine
from player.web.keys import SERVICES
from tests.player.test_api import first_album

Client = TestClient[Any, Any]


async def _next_error(ws: Any) -> dict[str, Any]:
    for _ in range(200):
        msg = await ws.receive_json(timeout=10)
        if msg["type"] == "error":
            return msg  # type: ignore[no-any-return]
    raise AssertionError("no error event")


async def test_a_track_that_cannot_play_is_skipped_with_an_error_event(
    client: Client, engine: FakeEngine
) -> None:
    svc = client.app[SERVICES]
    album = await first_album(client)
    tracks = await svc.library.tracks([t["id"] for t in album["tracks"]])
    broken = await svc.controller.resolver.resolve(tracks[0])
    assert broken is not None
    engine.inject_error(broken.url, "unrecognized file format")
    async with client.ws_connect("/api/v1/events") as ws:
        await ws.receive_json()  # the snapshot
        body = {"album_id": album["id"], "mode": "replace", "play": True}
        assert (await client.post("/api/v1/queue", json=body)).status == 200
        error = await _next_error(ws)
    assert error["item_id"] == album["tracks"][0]["id"]
    assert error["error"]["code"] == "unplayable"
    assert album["tracks"][0]["title"] in error["error"]["message"]
    assert "unrecognized file format" in error["error"]["message"]
    assert error["skipped"] is True
    player = await (await client.get("/api/v1/player")).json()
    assert player["item"]["id"] == album["tracks"][1]["id"]
