"""Run the real service under a fake systemd notify socket."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class NotifyListener:
    """A datagram socket standing in for systemd's $NOTIFY_SOCKET; messages keep their arrival time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.messages: list[tuple[float, str]] = []

    def wait_for(self, line: str, timeout: float = 15.0) -> float:
        """Collect messages until `line` arrives; returns its arrival time."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = self.sock.recv(4096).decode()
            except TimeoutError:
                break
            now = time.perf_counter()
            for part in data.splitlines():
                self.messages.append((now, part))
            if line in data.splitlines():
                return now
        raise TimeoutError(f"no {line!r} within {timeout} s; got {[m for _, m in self.messages]}")

    def collect(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(4096).decode()
            except TimeoutError:
                return
            self.messages.extend((time.perf_counter(), part) for part in data.splitlines())

    def close(self) -> None:
        self.sock.close()
        self.path.unlink(missing_ok=True)


def start_service(
    config: Path,
    notify: Path,
    watchdog_usec: int | None = None,
    env_extra: Mapping[str, str | None] | None = None,
    *,
    tree: Path = REPO,
) -> subprocess.Popen[bytes]:
    """`python -m player` of `tree` (this repository unless a bench runs an older one);
    `env_extra` sets (a str) or removes (None) environment variables."""
    env = {**os.environ, "NOTIFY_SOCKET": str(notify)}
    for name, value in (env_extra or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    if watchdog_usec is not None:
        env["WATCHDOG_USEC"] = str(watchdog_usec)
    return subprocess.Popen(
        [sys.executable, "-m", "player", "--config", str(config)],
        cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
