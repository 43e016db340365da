"""The queue at scale through the API: 10,000 ids in one POST (that route's larger body limit, still
bounded), replies that do not echo the whole queue, pages of GET /queue, and the events socket
that sends queue changes instead of copies."""

from __future__ import annotations

import json
from typing import Any

from aiohttp.test_utils import TestClient

from player.web.jsonbody import LIST_BODY_BYTES
from player.web.routes.queue import REPLY_LIMIT

Client = TestClient[Any, Any]


async def _track_ids(client: Client) -> list[str]:
    albums = (await (await client.get("/api/v1/library/albums")).json())["items"]
    ids: list[str] = []
    for album in albums:
        body = await (await client.get(f"/api/v1/library/albums/{album['id']}")).json()
        ids += [t["id"] for t in body["tracks"]]
    return ids


async def _post_ids(client: Client, ids: list[str], mode: str, query: str = "") -> Any:
    resp = await client.post(f"/api/v1/queue{query}", json={"item_ids": ids, "mode": mode})
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def test_ten_thousand_ids_in_one_post_and_a_short_reply(client: Client) -> None:
    known = await _track_ids(client)
    ids = [known[i % len(known)] for i in range(10_000)]
    reply = await _post_ids(client, ids, "replace")
    assert reply["total"] == 10_000 and reply["offset"] == 0
    assert len(reply["entries"]) == REPLY_LIMIT
    reply = await _post_ids(client, ids[:500], "append", "?offset=10000&limit=500")
    assert reply["total"] == 10_500 and len(reply["entries"]) == 500
    assert [e["item"]["id"] for e in reply["entries"]] == ids[:500]
    whole = await (await client.get("/api/v1/queue")).json()
    assert len(whole["entries"]) == whole["total"] == 10_500  # api.md's GET: everything


async def test_pages_of_the_queue(client: Client) -> None:
    known = await _track_ids(client)
    await _post_ids(client, known * 3, "replace")
    page = await (await client.get("/api/v1/queue?offset=2&limit=3")).json()
    whole = await (await client.get("/api/v1/queue")).json()
    assert page["entries"] == whole["entries"][2:5]
    assert (page["offset"], page["total"], page["version"]) == (2, len(known) * 3, whole["version"])
    past = await (await client.get("/api/v1/queue?offset=100000&limit=5")).json()
    assert past["entries"] == []
    for bad in ("limit=-1", "offset=x", "limit=100001"):
        resp = await client.get(f"/api/v1/queue?{bad}")
        assert resp.status == 400 and "error" in await resp.json()


async def test_the_larger_body_limit_is_for_post_queue_alone(client: Client) -> None:
    padding = "x" * (LIST_BODY_BYTES + 10)
    too_big = json.dumps({"item_ids": [padding], "mode": "append"})
    headers = {"Content-Type": "application/json"}
    resp = await client.post("/api/v1/queue", data=too_big, headers=headers)
    assert resp.status == 413 and (await resp.json())["error"]["code"] == "too_large"
    seek = json.dumps({"position": 1, "pad": "x" * 100_000})  # over 64 KiB elsewhere
    resp = await client.post("/api/v1/player/seek", data=seek, headers=headers)
    assert resp.status == 413
    resp = await client.post("/api/v1/queue", json={"item_ids": ["a"] * 10_001, "mode": "append"})
    assert resp.status == 422
    long_ids = [f"{i:040d}" for i in range(10_000)]  # 430 KB: past aiohttp's own 256 KiB too
    resp = await client.post("/api/v1/queue", json={"item_ids": long_ids, "mode": "append"})
    assert resp.status == 404
    assert (await resp.json())["error"]["message"].endswith("and 9995 more")


async def test_the_events_socket_sends_queue_changes_when_asked(client: Client) -> None:
    known = await _track_ids(client)
    await _post_ids(client, known, "replace")
    async with client.ws_connect("/api/v1/events?queue=changes") as ws:
        snapshot = await ws.receive_json(timeout=30)
        assert len(snapshot["queue"]["entries"]) == len(known)  # the whole queue: the snapshot
        await client.post("/api/v1/queue/jump", json={"index": 1})
        msg = await _next_of_type(ws, "queue")
        assert msg["change"]["since"] == snapshot["queue"]["version"]
        assert msg["queue"] == {
            "index": 1,
            "version": msg["change"]["since"] + 1,
            "total": len(known),
        }
        assert "entries" not in msg["queue"]
    async with client.ws_connect("/api/v1/events") as ws:  # api.md's form by default
        await ws.receive_json(timeout=30)
        await client.post("/api/v1/queue/jump", json={"index": 0})
        msg = await _next_of_type(ws, "queue")
        assert len(msg["queue"]["entries"]) == len(known) and "change" not in msg
    resp = await client.get("/api/v1/events?queue=sometimes")
    assert resp.status == 400


async def _next_of_type(ws: Any, kind: str) -> Any:
    for _ in range(50):
        msg = await ws.receive_json(timeout=30)
        if msg["type"] == kind:
            return msg
    raise AssertionError(f"no {kind} message")
