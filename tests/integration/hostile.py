"""Tools of a hostile LAN client: a flood of half-open connections, raw HTTP, a timed probe."""

from __future__ import annotations

import http.client
import json
import os
import selectors
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

HALF_HEAD = b"GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n"  # never finished


@dataclass
class HalfOpenFlood:
    """Keeps `count` connections open that never finish their headers, from `sources` addresses.

    Whatever the server closes is opened again, so the pressure lasts until `stop()`.
    """

    port: int
    count: int
    sources: tuple[str, ...]
    reopen_delay: float = 1.0  # like a slowloris tool: a closed slot is opened again after this
    connects: int = 0
    closed_by_server: int = 0
    refused: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _reopen_at: list[float] = field(default_factory=list)
    _thread: threading.Thread | None = None

    def start(self) -> HalfOpenFlood:
        self._thread = threading.Thread(target=self._run, name="half-open-flood", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10.0)

    def _run(self) -> None:
        # On the real thing the flooder is another machine: here it shares the cores, so it runs
        # at the lowest priority (Linux nice is per thread) and tests the service, not the CPU.
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        sel = selectors.DefaultSelector()
        try:
            while not self._stop.is_set():
                self._top_up(sel)
                for key, _ in sel.select(timeout=0.02):
                    self._read(sel, key.fileobj)  # type: ignore[arg-type]
        finally:
            for key in list(sel.get_map().values()):
                key.fileobj.close()  # type: ignore[union-attr]
            sel.close()

    def _top_up(self, sel: selectors.BaseSelector) -> None:
        now = time.monotonic()
        due = [t for t in self._reopen_at if t > now]
        free = self.count - len(sel.get_map()) - len(due)
        self._reopen_at = due
        for _ in range(min(free, 64)):
            source = self.sources[self.connects % len(self.sources)]
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.settimeout(0.25)
            try:
                sock.bind((source, 0))
                sock.connect(("127.0.0.1", self.port))
                sock.sendall(HALF_HEAD)
            except OSError:
                self.refused += 1
                sock.close()
                self._reopen_at.append(time.monotonic() + self.reopen_delay)
                return
            self.connects += 1
            sock.setblocking(False)
            sel.register(sock, selectors.EVENT_READ)

    def _read(self, sel: selectors.BaseSelector, sock: socket.socket) -> None:
        try:
            data = sock.recv(65536)
        except OSError:
            data = b""
        if not data:
            sel.unregister(sock)
            sock.close()
            self.closed_by_server += 1
            self._reopen_at.append(time.monotonic() + self.reopen_delay)


def timed_get(port: int, path: str, timeout: float = 1.0) -> tuple[int, float]:
    """(status, seconds) of one GET on a fresh connection; status 0 when it did not answer."""
    began = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": "localhost"})
        status = conn.getresponse().status
    except OSError:
        status = 0
    finally:
        conn.close()
    return status, time.monotonic() - began


def raw_exchange(port: int, data: bytes, timeout: float = 5.0) -> tuple[int, dict[str, str], Any]:
    """Send raw bytes, read until the server closes: (status, headers, JSON body or None)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines[0].startswith("HTTP/") else 0
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = None
    return status, {k.lower(): v for k, v in headers.items()}, parsed


def request_bytes(method: str, path: str, host: str = "localhost", **headers: str) -> bytes:
    """One complete HTTP/1.1 request head with `Connection: close` (no body)."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: close"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
