"""The v1 API contract on an in-process service (fake engine, real SQLite, real demo library)."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient

Client = TestClient[Any, Any]


async def first_album(client: Client) -> dict[str, Any]:
    resp = await client.get("/api/v1/library/albums")
    assert resp.status == 200
    page = await resp.json()
    assert page["total"] >= 2
    album_id = page["items"][0]["id"]
    return await (await client.get(f"/api/v1/library/albums/{album_id}")).json()  # type: ignore[no-any-return]


async def play_album(client: Client) -> dict[str, Any]:
    album = await first_album(client)
    body = {"album_id": album["id"], "mode": "replace", "play": True}
    resp = await client.post("/api/v1/queue", json=body)
    assert resp.status == 200, await resp.text()
    return album


async def test_health(client: Client) -> None:
    resp = await client.get("/api/v1/health")
    assert resp.status == 200
    assert (await resp.json())["status"] == "ok"


async def test_album_tracks_are_in_disc_track_order(client: Client) -> None:
    album = await first_album(client)
    order = [(t["disc_number"] or 0, t["track_number"] or 0) for t in album["tracks"]]
    assert order == sorted(order)
    assert album["available_offline"] == "full"


async def test_queue_an_album_and_play(client: Client) -> None:
    album = await play_album(client)
    player = await (await client.get("/api/v1/player")).json()
    assert player["state"] == "playing"
    assert player["item"]["id"] == album["tracks"][0]["id"]
    assert player["playing_from"] == "local"
    await asyncio.sleep(1.2)
    later = await (await client.get("/api/v1/player")).json()
    assert later["position"] > player["position"]


async def test_transport_commands(client: Client) -> None:
    album = await play_album(client)
    tracks = album["tracks"]
    player = await (await client.post("/api/v1/player/next")).json()
    assert player["item"]["id"] == tracks[1]["id"]
    player = await (await client.post("/api/v1/player/pause")).json()
    assert player["state"] == "paused"
    player = await (await client.post("/api/v1/player/seek", json={"position": 5})).json()
    assert player["position"] == 5
    player = await (await client.post("/api/v1/player/previous")).json()  # > 3 s in: restart
    assert player["item"]["id"] == tracks[1]["id"] and player["position"] == 0
    player = await (await client.post("/api/v1/player/previous")).json()
    assert player["item"]["id"] == tracks[0]["id"]
    player = await (await client.post("/api/v1/player/toggle")).json()
    assert player["state"] == "playing"
    player = await (await client.post("/api/v1/player/volume", json={"volume": 30})).json()
    assert player["volume"] == 30
    player = await (await client.post("/api/v1/player/volume", json={"delta": -50})).json()
    assert player["volume"] == 0
    resp = await client.patch(
        "/api/v1/player", json={"repeat": "all", "shuffle": True, "muted": True}
    )
    player = await resp.json()
    assert (player["repeat"], player["shuffle"], player["muted"]) == ("all", True, True)
    player = await (await client.post("/api/v1/player/stop")).json()
    assert player["state"] == "stopped" and player["item"] is None


async def test_queue_commands(client: Client) -> None:
    await play_album(client)
    queue = await (await client.get("/api/v1/queue")).json()
    entries = queue["entries"]
    moved = await client.post(f"/api/v1/queue/{entries[2]['entry_id']}/move", json={"to": 0})
    queue2 = await moved.json()
    assert queue2["entries"][0]["entry_id"] == entries[2]["entry_id"]
    assert queue2["index"] == 1 and queue2["version"] > queue["version"]
    removed = await (await client.delete(f"/api/v1/queue/{entries[1]['entry_id']}")).json()
    assert entries[1]["entry_id"] not in [e["entry_id"] for e in removed["entries"]]
    player = await (await client.post("/api/v1/queue/jump", json={"index": 0})).json()
    assert player["queue_index"] == 0
    cleared = await (await client.delete("/api/v1/queue")).json()
    assert cleared["entries"] == [] and cleared["index"] is None
    missing = await client.delete("/api/v1/queue/e999")
    assert missing.status == 404
    assert (await missing.json())["error"]["code"] == "not_found"


async def test_foreign_host_is_refused_and_changes_nothing(client: Client) -> None:
    album = await first_album(client)
    body = {"album_id": album["id"], "mode": "replace", "play": True}
    resp = await client.post("/api/v1/queue", json=body, headers={"Host": "evil.example"})
    assert resp.status == 403
    assert (await resp.json())["error"]["code"] == "forbidden"
    queue = await (await client.get("/api/v1/queue")).json()
    assert queue["entries"] == [] and queue["version"] == 0


async def test_cross_origin_post_is_refused(client: Client) -> None:
    resp = await client.post("/api/v1/player/play", headers={"Origin": "http://evil.example"})
    assert resp.status == 403
    same = await client.post(
        "/api/v1/player/play", headers={"Origin": f"http://127.0.0.1:{client.port}"}
    )
    assert same.status == 200


async def test_text_plain_is_415(client: Client) -> None:
    resp = await client.post(
        "/api/v1/player/seek", data="position=3", headers={"Content-Type": "text/plain"}
    )
    assert resp.status == 415
    assert (await resp.json())["error"]["code"] == "unsupported_media_type"


async def test_malformed_json_is_400(client: Client) -> None:
    headers = {"Content-Type": "application/json"}
    resp = await client.post("/api/v1/player/seek", data='{"position": ', headers=headers)
    assert resp.status == 400
    error = (await resp.json())["error"]
    assert error["code"] == "bad_request" and "malformed JSON" in error["message"]


async def test_unknown_and_bad_fields_are_422(client: Client) -> None:
    resp = await client.post("/api/v1/player/seek", json={"position": 1, "speed": 2})
    assert resp.status == 422 and "speed" in (await resp.json())["error"]["message"]
    resp = await client.post("/api/v1/player/seek", json={"position": "soon"})
    assert resp.status == 422
    resp = await client.post("/api/v1/queue", json={"mode": "sideways", "item_ids": []})
    assert resp.status == 422
    resp = await client.post("/api/v1/player/volume", json=[1, 2])
    assert resp.status == 422


async def test_unknown_route_is_the_error_object(client: Client) -> None:
    resp = await client.get("/api/v1/nothing")
    assert resp.status == 404
    assert (await resp.json())["error"]["code"] == "not_found"


async def test_events_snapshot_then_changes(client: Client) -> None:
    ws = await client.ws_connect("/api/v1/events")
    snapshot = await ws.receive_json(timeout=5)
    assert snapshot["type"] == "snapshot"
    assert {"player", "queue", "downloads", "network", "cache"} <= set(snapshot)
    await play_album(client)
    kinds = []
    for _ in range(3):
        kinds.append((await ws.receive_json(timeout=5))["type"])
    assert "queue" in kinds and "player" in kinds
    await ws.close()


async def test_events_refuse_a_foreign_origin(client: Client) -> None:
    resp = await client.get(
        "/api/v1/events",
        headers={"Origin": "http://evil.example", "Upgrade": "websocket", "Connection": "Upgrade",
                 "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="},
    )  # fmt: skip
    assert resp.status == 403
