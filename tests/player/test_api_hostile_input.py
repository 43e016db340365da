"""Malformed input is a 4xx with the error object, never a 500 (issue 13 items 9 and 10)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from player.web.jsonbody import parse_json
from player.web.keys import SERVICES
from tests.player.test_api import play_album

Client = TestClient[Any, Any]
JSON = {"Content-Type": "application/json"}


async def _post(client: Client, path: str, body: bytes) -> tuple[int, Any]:
    resp = await client.post(path, data=body, headers=JSON)
    return resp.status, await resp.json()


BAD_BODIES = [
    (b"[" * 10_000 + b"]" * 10_000, 400),
    (b'{"position": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", 400),
    (b'{"position": "\xff\xfe"}', 400),
    ('{"position": 3}'.encode("utf-16"), 400),
    ('{"position": 3}'.encode("utf-16-le"), 400),
    (b'{"position": ' + str(10**400).encode() + b"}", 422),
    (b'{"position": 1e400}', 422),
    (b'{"position": -1e400}', 422),
    (b'{"position": 1e308}', 422),
    (b'{"position": NaN}', 400),
    (b'{"position": Infinity}', 400),
    (b'{"position": -Infinity}', 400),
    (b'{"position": 3', 400),
    (b'"\\ud800"', 422),
]


@pytest.mark.parametrize(("body", "status"), BAD_BODIES, ids=range(len(BAD_BODIES)))
async def test_hostile_bodies_are_4xx(client: Client, body: bytes, status: int) -> None:
    got, answer = await _post(client, "/api/v1/player/seek", body)
    assert got == status, answer
    assert set(answer["error"]) == {"code", "message"}


async def test_huge_ids_and_queries_are_4xx(client: Client) -> None:
    for path, status in [
        ("/api/v1/downloads/99999999999999999999999", 404),
        ("/api/v1/downloads/9223372036854775808", 404),
        ("/api/v1/downloads/-1", 404),  # not even a route
        ("/api/v1/library/albums?limit=" + "9" * 400, 400),
        ("/api/v1/library/albums?offset=1e999", 400),
        ("/api/v1/library/tracks/" + "a" * 5000, 404),
        ("/api/v1/library/search?q=" + "x" * 3000, 400),
    ]:
        resp = await client.get(path)
        assert resp.status == status, (path[:60], await resp.text())
        assert "error" in await resp.json()


async def test_seek_is_finite_and_bounded(client: Client) -> None:
    await play_album(client)
    for body in (b'{"position": 1e308}', b'{"position": 604801}', b'{"position": -0.5}'):
        assert (await _post(client, "/api/v1/player/seek", body))[0] == 422
    status, player = await _post(client, "/api/v1/player/seek", b'{"position": 2.5}')
    assert status == 200
    assert player["position"] == pytest.approx(2.5, abs=0.5)


async def test_a_non_finite_number_never_reaches_the_wire(client: Client) -> None:
    svc = client.app[SERVICES]
    async with client.ws_connect("/api/v1/events") as ws:
        assert (await ws.receive_json())["type"] == "snapshot"
        svc.bus.publish({"type": "player", "player": {"position": math.nan, "duration": math.inf}})
        text = (await ws.receive()).data
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text)["player"] == {"position": None, "duration": None}
    svc.controller.position = math.nan  # as if an engine reported it
    resp = await client.get("/api/v1/player")
    body = await resp.text()
    svc.controller.position = 0.0  # the checkpoint at shutdown must not meet it either
    assert resp.status == 200 and "NaN" not in body
    assert json.loads(body)["position"] is None


def test_parse_json_keeps_what_is_fine() -> None:
    assert parse_json(b'{"a": [1, 2.5, -3e2, "x"], "b": {"c": null}}') == {
        "a": [1, 2.5, -300.0, "x"],
        "b": {"c": None},
    }
    assert parse_json(b'"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["') == "[" * 40  # in a string
    assert parse_json(b"   ") == {}
