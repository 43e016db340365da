"""`tapedeck snapcast-plugin` as snapserver runs it, a process on pipes: bad lines get JSON-RPC error
answers and the plug-in lives on; it finds tapedeck when the service comes up late, tells snapserver
what plays, and says "stopped, nothing to control" when tapedeck goes away."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tomllib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from player.app import create_app
from player.engine.fake import FakeEngine
from player.snapcast.jsonrpc import INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR
from player.snapcast.plugin import OFFLINE
from player.web.keys import SERVICES
from tests.integration.service import free_port
from tests.player.conftest import AiohttpClient, service_config

TAPEDECK = Path(sys.executable).parent / "tapedeck"
SOURCE_TREE = Path(__file__).resolve().parents[2]
GET_PROPERTIES = "Plugin.Stream.Player.GetProperties"


class PluginProcess:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.seen: list[dict[str, Any]] = []

    async def send(self, line: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + b"\n")
        await self.process.stdin.drain()

    async def request(self, request_id: int, method: str, params: Any = None) -> None:
        message: dict[str, Any] = {"id": request_id, "jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        await self.send(json.dumps(message).encode())

    async def next_message(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), 60)
        assert line, "the plug-in closed its stdout"
        message: dict[str, Any] = json.loads(line)
        self.seen.append(message)
        return message

    async def wait_for(self, wanted: Any, what: str, limit: int = 200) -> dict[str, Any]:
        """Read messages until one satisfies `wanted` (bounded by count and each read's timeout)."""
        for _ in range(limit):
            message = await self.next_message()
            if wanted(message):
                return message
        raise AssertionError(f"{what}; saw {self.seen[-5:]}")


@pytest.fixture
async def plugin(tmp_path: Path) -> AsyncIterator[tuple[PluginProcess, int]]:
    """The plug-in, aimed at a port where no tapedeck runs yet."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(SOURCE_TREE)}
    args = ["snapcast-plugin", "--url", f"http://127.0.0.1:{port}", "--state-dir",
            str(tmp_path / "state"), "--stream=tapedeck", "--snapcast-port=1780"]  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        str(TAPEDECK), *args, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env
    )
    running = PluginProcess(process)
    yield running, port
    if process.returncode is None:
        process.kill()
    await process.wait()


def answer_to(request_id: int | None) -> Any:
    return lambda m: "method" not in m and m.get("id") == request_id


async def test_bad_lines_get_error_answers_and_the_plugin_lives_on(
    plugin: tuple[PluginProcess, int],
) -> None:
    proc, _ = plugin
    ready = await proc.next_message()
    assert ready == {"jsonrpc": "2.0", "method": "Plugin.Stream.Ready"}
    for line in (b"not json", b"\xff\xfe garbage", b"[1, 2]", b"x" * 100_000):
        await proc.send(line)
        error = await proc.wait_for(answer_to(None), f"no answer to {line[:20]!r}")
        assert error["error"]["code"] in (PARSE_ERROR, INVALID_REQUEST)
    await proc.request(5, "Plugin.Stream.Player.Dance")
    refused = await proc.wait_for(answer_to(5), "no answer to an unknown method")
    assert refused["error"]["code"] == METHOD_NOT_FOUND
    await proc.request(6, GET_PROPERTIES)
    answer = await proc.wait_for(answer_to(6), "no answer to GetProperties")
    assert answer["result"] == OFFLINE  # tapedeck is down: stopped, nothing to control
    assert proc.process.stdin is not None
    proc.process.stdin.close()  # snapserver going away ends the plug-in, cleanly
    assert await asyncio.wait_for(proc.process.wait(), 60) == 0


async def test_the_plugin_follows_tapedeck_coming_up_and_going_away(
    aiohttp_client: AiohttpClient, tmp_path: Path, plugin: tuple[PluginProcess, int]
) -> None:
    proc, port = plugin
    await proc.next_message()  # Ready
    app = create_app(service_config(tmp_path), engine=FakeEngine(speed=1.0, default_duration=60))
    client = await aiohttp_client(app, server_kwargs={"port": port})
    await asyncio.wait_for(app[SERVICES].media.scanned.wait(), 30)
    albums = (await (await client.get("/api/v1/library/albums")).json())["items"]
    body = {"album_id": albums[0]["id"], "mode": "replace", "play": True}
    assert (await client.post("/api/v1/queue", json=body)).status == 200
    player = await (await client.get("/api/v1/player")).json()

    def playing(message: dict[str, Any]) -> bool:
        params = message.get("params", {})
        return (
            message.get("method") == "Plugin.Stream.Player.Properties"
            and params.get("playbackStatus") == "playing"
            and params["metadata"].get("title") == player["item"]["title"]
        )

    shown = await proc.wait_for(playing, "the plug-in never told snapserver what plays")
    assert shown["params"]["metadata"]["artist"] == player["item"]["artists"]
    await proc.request(7, "Plugin.Stream.Player.Control", {"command": "pause"})
    await proc.wait_for(answer_to(7), "no answer to pause")
    assert (await (await client.get("/api/v1/player")).json())["state"] == "paused"

    await client.close()  # tapedeck goes away
    gone = await proc.wait_for(
        lambda m: m.get("params") == OFFLINE, "the plug-in never said tapedeck went away"
    )
    assert gone["method"] == "Plugin.Stream.Player.Properties"


def test_the_script_snapserver_conf_names_runs_the_plugin(tmp_path: Path) -> None:
    """`tapedeck-snapcast-plugin` (a path for `controlscript=`, installed with the venv) is the
    plug-in, started as snapserver starts it: its own options, nothing more."""
    pyproject = tomllib.loads((SOURCE_TREE / "pyproject.toml").read_text(encoding="utf-8"))
    module, function = pyproject["project"]["scripts"]["tapedeck-snapcast-plugin"].split(":")
    code = f"import sys; from {module} import {function}; sys.exit({function}())"
    snapservers_options = ["--stream=tapedeck", "--snapcast-port=1780", "--snapcast-host=127.0.0.1"]
    env = {**os.environ, "PYTHONPATH": str(SOURCE_TREE),
           "TAPEDECK_URL": f"http://127.0.0.1:{free_port()}"}  # fmt: skip
    request = {"id": 1, "jsonrpc": "2.0", "method": GET_PROPERTIES}
    done = subprocess.run(
        [sys.executable, "-c", code, *snapservers_options],
        input=json.dumps(request).encode() + b"\n",
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    messages = [json.loads(line) for line in done.stdout.splitlines()]
    assert messages[0] == {"jsonrpc": "2.0", "method": "Plugin.Stream.Ready"}
    assert {"jsonrpc": "2.0", "id": 1, "result": OFFLINE} in messages  # maybe after a notification


def test_the_images_snapserver_runs_the_plugin_from_tapedecks_venv() -> None:
    conf = (SOURCE_TREE / "image" / "rootfs" / "common" / "etc" / "snapserver.conf").read_text()
    line = next(
        ln for ln in conf.splitlines() if ln.startswith("source =") and "name=tapedeck" in ln
    )
    pyproject = tomllib.loads((SOURCE_TREE / "pyproject.toml").read_text(encoding="utf-8"))
    assert "tapedeck-snapcast-plugin" in pyproject["project"]["scripts"]
    assert line.endswith("&controlscript=/opt/tapedeck/venv/bin/tapedeck-snapcast-plugin")
    venv = (SOURCE_TREE / "image" / "hooks" / "customize.sh").read_text(encoding="utf-8")
    assert "python3 -m venv /opt/tapedeck/venv" in venv
