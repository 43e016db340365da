"""The sleep timer's routes (api.md's Timers) and its event, on the in-process service."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from player.buttons.actions import SLEEP_MINUTES, ButtonAction, GpioCommand
from player.system.device import handle_button
from player.web.keys import SERVICES
from tests.polling import until

JSON = {"Content-Type": "application/json"}


async def test_set_read_and_cancel_the_sleep_timer(client: TestClient[Any, Any]) -> None:
    assert await (await client.get("/api/v1/sleep")).json() == {
        "active": False, "ends_at": None, "mode": None,
    }  # fmt: skip
    async with client.ws_connect("/api/v1/events") as ws:
        await ws.receive_json()  # the snapshot
        resp = await client.post("/api/v1/sleep", json={"minutes": 30}, headers=JSON)
        assert resp.status == 200
        body = await resp.json()
        assert body["active"] and body["mode"] == "minutes" and body["ends_at"].endswith("Z")
        event = await ws.receive_json()
        while event["type"] != "sleep":
            event = await ws.receive_json()
        assert event["sleep"] == body
    assert await (await client.get("/api/v1/sleep")).json() == body
    resp = await client.post("/api/v1/sleep", json={"end_of_track": True}, headers=JSON)
    assert (await resp.json())["mode"] == "end_of_track"
    assert (await client.delete("/api/v1/sleep")).status == 204
    assert not (await (await client.get("/api/v1/sleep")).json())["active"]


async def test_bad_sleep_bodies_are_422(client: TestClient[Any, Any]) -> None:
    for body in (
        {}, {"minutes": 0}, {"minutes": 10, "end_of_track": True}, {"end_of_queue": False},
        {"minutes": "ten"}, {"hours": 1}, {"minutes": 10**9},
    ):  # fmt: skip
        resp = await client.post("/api/v1/sleep", json=body, headers=JSON)
        assert resp.status == 422, body
        assert (await resp.json())["error"]["code"] == "unprocessable"


async def test_each_press_of_a_sleep_button_adds_fifteen_minutes(
    client: TestClient[Any, Any],
) -> None:
    svc = client.app[SERVICES]
    press = GpioCommand(ButtonAction.SLEEP, source="button 27")
    handle_button(svc, press)
    sleep = svc.timers.sleep
    await until(lambda: sleep.status().active)
    first = sleep.status().ends_at
    assert first is not None
    handle_button(svc, press)
    await until(lambda: sleep.status().ends_at != first)
    second = sleep.status().ends_at
    assert second is not None and second - first == pytest.approx(SLEEP_MINUTES * 60)
