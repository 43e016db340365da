"""idle answers within 200 ms of a change from the HTTP API or a GPIO button; cheap plchanges.

In-process service on the fake engine, so the API, the buttons and the MPD server share one
loop as on the device; the MPD client is a bare asyncio stream.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from gpiozero.pins.mock import MockFactory

from player.buttons import ButtonAction, ButtonConfig, Buttons, GpioConfig
from player.system.device import handle_button
from player.web.keys import SERVICES
from tests.mpd.conftest import Line

PROMPT = 0.2  # the acceptance: a client in idle hears a change within 200 ms


async def _idle_then(port: int, change: Any) -> tuple[list[str], float]:
    watcher = await Line.open(port)
    try:
        await watcher.send("idle")
        await asyncio.sleep(0.1)  # registered before the change
        await change()
        loop = asyncio.get_running_loop()
        started = loop.time()
        lines = await asyncio.wait_for(watcher.answer(), 5)
        return lines, loop.time() - started
    finally:
        await watcher.close()


async def test_idle_hears_http_api_changes_promptly(
    deck: tuple[TestClient[Any, Any], web.Application, int],
) -> None:
    http, _, port = deck
    album = (await (await http.get("/api/v1/library/albums")).json())["items"][0]

    async def queue_album() -> None:
        resp = await http.post("/api/v1/queue", json={"album_id": album["id"], "mode": "replace"})
        assert resp.status == 200

    lines, _ = await _idle_then(port, queue_album)
    assert lines == ["changed: playlist", "OK"]

    async def play() -> None:
        assert (await http.post("/api/v1/player/play", json={})).status == 200

    lines, took = await _idle_then(port, play)
    assert lines == ["changed: player", "OK"] and took < PROMPT

    async def volume() -> None:
        assert (await http.post("/api/v1/player/volume", json={"volume": 20})).status == 200

    lines, took = await _idle_then(port, volume)
    assert lines == ["changed: mixer", "OK"] and took < PROMPT


async def test_idle_hears_a_gpio_button_promptly(
    deck: tuple[TestClient[Any, Any], web.Application, int],
) -> None:
    _, app, port = deck
    svc = app[SERVICES]
    mpd = await Line.open(port)
    assert (await mpd.command('add "Alpha Band/First Album"'))[-1] == "OK"
    await mpd.close()
    factory = MockFactory()
    config = GpioConfig(buttons=(ButtonConfig(pin=17, action=ButtonAction.TOGGLE, bounce_time=0),))
    buttons = Buttons(config, lambda cmd: handle_button(svc, cmd), pin_factory=factory)
    buttons.start()
    try:

        async def press() -> None:
            def drive() -> None:  # from a foreign thread, as gpiozero's own callbacks come
                factory.pin(17).drive_low()

            thread = threading.Thread(target=drive)
            thread.start()
            await asyncio.to_thread(thread.join)

        lines, took = await _idle_then(port, press)
        assert lines == ["changed: player", "OK"] and took < PROMPT
        assert svc.controller.state == "playing"
    finally:
        buttons.close()
        factory.reset()


async def test_plchanges_after_one_move_returns_two_entries(
    deck: tuple[TestClient[Any, Any], web.Application, int],
) -> None:
    _, _, port = deck
    mpd = await Line.open(port)
    try:
        for _ in range(50):  # a queue of 400 entries
            await mpd.send('add ""')
        for _ in range(50):
            assert (await mpd.answer())[-1] == "OK"
        status = dict(line.split(": ", 1) for line in (await mpd.command("status"))[:-1])
        assert status["playlistlength"] == "400"
        version = status["playlist"]
        assert (await mpd.command("move 10 11"))[-1] == "OK"
        changed = await mpd.command(f"plchangesposid {version}")
        assert changed[:-1:2] == ["cpos: 10", "cpos: 11"] and len(changed) == 5
        songs = await mpd.command(f"plchanges {version}")
        assert sum(1 for line in songs if line.startswith("file: ")) == 2
        assert (await mpd.command(f"plchanges {int(version) + 1}")) == ["OK"]
    finally:
        await mpd.close()


async def test_a_new_stream_title_wakes_playlist_and_player(
    deck: tuple[TestClient[Any, Any], web.Application, int],
) -> None:
    # A station's ICY title changes the current song's tags (MPD: `playlist`), and some
    # clients reread currentsong only on `player`.
    _, app, port = deck
    controller = app[SERVICES].controller

    async def new_title() -> None:
        controller.stream_title = "Live at noon"
        controller.notify("player")

    lines, _ = await _idle_then(port, new_title)
    assert lines == ["changed: player", "changed: playlist", "OK"]
