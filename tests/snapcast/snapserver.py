"""Debian's real snapserver and snapclient for the tests, on 127.0.0.1 with their own config and ports."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.integration.service import free_port
from tests.polling import wait_port

SNAPSERVER = shutil.which("snapserver") or "/usr/bin/snapserver"
SNAPCLIENT = shutil.which("snapclient") or "/usr/bin/snapclient"
needs_snapcast = pytest.mark.skipif(
    not (Path(SNAPSERVER).exists() and Path(SNAPCLIENT).exists()),
    reason="Debian's snapserver and snapclient are the peers",
)
STREAM = "tapedeck"
OTHER = "radio"  # a second stream, so a room can leave tapedeck's


class SnapServer:
    """snapserver with two pipe streams (tapedeck's and another), HTTP off, control and stream ports free."""

    def __init__(self, root: Path) -> None:
        self.root = root
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
        return "\n".join(
            [
                "[server]", f"datadir = {self.root / 'data'}",
                "[http]", "enabled = false",
                "[tcp]", "bind_to_address = 127.0.0.1", f"port = {self.control_port}",
                "[stream]", "bind_to_address = 127.0.0.1", f"port = {self.stream_port}",
                f"source = pipe://{self.fifo}?name={STREAM}&{fmt}",
                f"source = pipe://{self.root / 'radio.fifo'}?name={OTHER}&{fmt}",
                "[logging]", "filter = *:notice", "",
            ]
        )  # fmt: skip

    def start(self) -> None:
        log = (self.root / "snapserver.log").open("ab")
        self.process = subprocess.Popen(
            [SNAPSERVER, "-c", str(self.config)], stdout=log, stderr=subprocess.STDOUT
        )
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

    def clients(self) -> dict[str, dict[str, Any]]:
        status = self.call("Server.GetStatus")["server"]
        out: dict[str, dict[str, Any]] = {}
        for group in status["groups"]:
            for client in group["clients"]:
                out[client["id"]] = client | {"stream_id": group["stream_id"]}
        return out


class SnapClient:
    """snapclient with `--player file`: it writes what it would play (silence while idle)."""

    def __init__(self, server: SnapServer, host_id: str) -> None:
        self.host_id = host_id
        self.output = server.root / f"{host_id}.pcm"
        self.args = [
            SNAPCLIENT, "-h", "127.0.0.1", "-p", str(server.stream_port), "--hostID", host_id,
            "--player", f"file:filename={self.output}", "--logsink", "null",
        ]  # fmt: skip
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self._watch = threading.Thread()

    def start(self) -> None:
        self.process = subprocess.Popen(self.args, stdout=subprocess.DEVNULL)
        self.started_at = time.time()
        self._watch = threading.Thread(target=self._see_first_write, daemon=True)
        self._watch.start()

    def _see_first_write(self) -> None:
        # The file's timeline starts when snapclient starts playing, not when the process was
        # made: the first bytes seen, less what they already hold, put it on the wall clock.
        for _ in range(20_000):
            try:
                size = self.output.stat().st_size
            except FileNotFoundError:
                size = 0
            if size:
                self.started_at = time.time() - size / (48000 * 4)
                return
            time.sleep(0.0005)

    def wait_started(self) -> None:
        self._watch.join(15)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None
