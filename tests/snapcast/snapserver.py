"""Debian's real snapserver and snapclient for the tests, on 127.0.0.1 with their own config and ports."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.integration.service import free_port
from tests.polling import until_sync, wait_port

SNAPSERVER = shutil.which("snapserver") or "/usr/bin/snapserver"
SNAPCLIENT = shutil.which("snapclient") or "/usr/bin/snapclient"
needs_snapcast = pytest.mark.skipif(
    not (Path(SNAPSERVER).exists() and Path(SNAPCLIENT).exists()),
    reason="Debian's snapserver and snapclient are the peers",
)
STREAM = "tapedeck"
OTHER = "radio"  # a second stream, so a room can leave tapedeck's


def favour(process: subprocess.Popen[bytes]) -> None:
    """A room's player thread woken late drops a chunk (snapclient's hard sync), which the join
    check would blame on tapedeck: on a loaded machine the peers get the CPU first, when allowed."""
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, process.pid, -10)


def plugin_wrapper(root: Path, url: str, state_dir: Path) -> Path:
    """The controlscript for tapedeck's stream: snapserver 0.26 runs it with its own three options
    and cannot pass more, so this wrapper adds `--url` and execs this tree's `tapedeck snapcast-plugin`
    (the venv's entry point, as on a device), logging to a file beside snapserver's."""
    root.mkdir(parents=True, exist_ok=True)
    tapedeck = Path(sys.executable).parent / "tapedeck"
    source_tree = Path(__file__).resolve().parents[2]
    script = root / "tapedeck-plugin"
    script.write_text(
        "#!/bin/sh\n"
        f"export PYTHONPATH={shlex.quote(str(source_tree))}\n"
        f"exec {shlex.quote(str(tapedeck))} snapcast-plugin --url {shlex.quote(url)} "
        f'--state-dir {shlex.quote(str(state_dir))} --log-level INFO "$@" '
        f"2>>{shlex.quote(str(root / 'plugin.log'))}\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


class SnapServer:
    """snapserver with two pipe streams (tapedeck's and another), HTTP off, control and stream ports
    free; `controlscript` puts a plug-in on tapedeck's stream."""

    def __init__(self, root: Path, controlscript: Path | None = None) -> None:
        self.root = root
        self.controlscript = controlscript
        root.mkdir(parents=True, exist_ok=True)
        self.control_port = free_port()
        self.stream_port = free_port()
        self.fifo = root / "tapedeck.fifo"
        self.config = root / "snapserver.conf"
        (root / "data").mkdir(exist_ok=True)
        self.config.write_text(self._config_text(), encoding="utf-8")
        self.process: subprocess.Popen[bytes] | None = None

    def _config_text(self) -> str:
        fmt = "sampleformat=48000:16:2"
        # snapserver 0.26 takes an absolute path, or a name under /usr/share/snapserver/plug-ins/
        plugin = f"&controlscript={self.controlscript}" if self.controlscript else ""
        return "\n".join(
            [
                "[server]", f"datadir = {self.root / 'data'}",
                "[http]", "enabled = false",
                "[tcp]", "bind_to_address = 127.0.0.1", f"port = {self.control_port}",
                "[stream]", "bind_to_address = 127.0.0.1", f"port = {self.stream_port}",
                f"source = pipe://{self.fifo}?name={STREAM}&{fmt}{plugin}",
                f"source = pipe://{self.root / 'radio.fifo'}?name={OTHER}&{fmt}",
                "[logging]", "filter = *:notice", "",
            ]
        )  # fmt: skip

    def start(self) -> None:
        log = (self.root / "snapserver.log").open("ab")
        self.process = subprocess.Popen(
            [SNAPSERVER, "-c", str(self.config)], stdout=log, stderr=subprocess.STDOUT
        )
        favour(self.process)
        wait_port(self.control_port)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None

    def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """One JSON-RPC request on a connection of its own (another Snapcast controller)."""
        message: dict[str, Any] = {"id": 1, "jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        with socket.create_connection(("127.0.0.1", self.control_port), timeout=10) as sock:
            sock.sendall(json.dumps(message).encode() + b"\r\n")
            reader = sock.makefile("rb")
            while True:
                answer = json.loads(reader.readline())
                if answer.get("id") == 1:
                    return answer.get("result", answer.get("error"))

    def stream_properties(self, stream: str = STREAM) -> dict[str, Any]:
        """The stream's `properties` in Server.GetStatus (what its plug-in last told snapserver)."""
        for found in self.call("Server.GetStatus")["server"]["streams"]:
            if found["id"] == stream:
                properties: dict[str, Any] = found.get("properties", {})
                return properties
        raise AssertionError(f"snapserver has no stream {stream}")

    def clients(self) -> dict[str, dict[str, Any]]:
        status = self.call("Server.GetStatus")["server"]
        out: dict[str, dict[str, Any]] = {}
        for group in status["groups"]:
            for client in group["clients"]:
                out[client["id"]] = client | {"stream_id": group["stream_id"]}
        return out


class SnapClient:
    """snapclient with `--player file`: it writes what it would play (silence while idle), 50 ms
    at a time, each write 10 ms before it would be heard."""

    def __init__(self, server: SnapServer, host_id: str) -> None:
        self.host_id = host_id
        self.output = server.root / f"{host_id}.pcm"
        self.args = [
            SNAPCLIENT, "-h", "127.0.0.1", "-p", str(server.stream_port), "--hostID", host_id,
            "--player", f"file:filename={self.output}", "--logsink", "null",
        ]  # fmt: skip
        self.process: subprocess.Popen[bytes] | None = None
        self.writes: list[tuple[float, int]] = []  # (wall clock, the file's size after a write)
        self._stop = threading.Event()
        self._watch = threading.Thread()

    def start(self) -> None:
        self.process = subprocess.Popen(self.args, stdout=subprocess.DEVNULL)
        favour(self.process)
        self._watch = threading.Thread(target=self._see_writes, daemon=True)
        self._watch.start()

    def _see_writes(self) -> None:
        # Each write put on the wall clock as it lands. A frame's time is then its own write's
        # time, not the file's start plus its offset: snapclient's timer, woken late on a loaded
        # machine, restarts its schedule, and the file's length stops being its running time.
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), -10)
        last = 0
        for _ in range(400_000):  # bounded: 200 s
            if self._stop.is_set():
                return
            try:
                size = self.output.stat().st_size
            except FileNotFoundError:
                size = 0
            if size != last:
                self.writes.append((time.time(), size))
                last = size
            time.sleep(0.0005)

    def wait_started(self) -> None:
        for _ in range(3000):  # bounded: 15 s
            if self.writes:
                return
            time.sleep(0.005)

    def heard_at(self, frame: int) -> float:
        """When `frame` of the output reached the file (its write's time, plus where in it)."""
        byte = frame * 4
        before = 0
        for when, size in self.writes:
            if size > byte:
                return when + (byte - before) / 4 / 48000
            before = size
        raise AssertionError(f"{self.host_id} never wrote frame {frame}")

    def stop(self) -> None:
        self._stop.set()
        if self._watch.is_alive():
            self._watch.join(10)
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


def start_rooms(
    server: SnapServer, names: tuple[str, ...] = ("kitchen", "garden")
) -> list[SnapClient]:
    """Real snapclients, one per name (its host id), started and connected at snapserver."""
    clients = [SnapClient(server, name) for name in names]
    for client in clients:
        client.start()

    def all_connected() -> bool:
        known = server.clients()
        return all(known.get(c.host_id, {}).get("connected") for c in clients)

    until_sync(all_connected, timeout=20, step=0.05, what="the snapclients never connected")
    return clients
