"""A hostile LAN client against the real service (issue 13, items 6 and 17; acceptance 3)."""

from __future__ import annotations

import http.client
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.hostile import HalfOpenFlood, raw_exchange, request_bytes, timed_get
from tests.integration.service import ServiceProcess

FD_LIMIT = 1024
ATTACKERS = tuple(f"127.0.0.{n}" for n in range(2, 12))  # ten LAN addresses, none the probe's


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    if shutil.which("prlimit") is None:
        pytest.skip("prlimit (util-linux) is needed to run the service under a file limit")
    launcher = ("prlimit", f"--nofile={FD_LIMIT}:{FD_LIMIT}")
    svc = ServiceProcess(tmp_path_factory.mktemp("hostile"), launcher=launcher)
    svc.start()
    # The demo library is made and scanned after READY: the flood is to meet a settled service.
    svc.wait_until(lambda: svc.api("GET", "/library/albums")["total"] >= 1, timeout=30)
    svc.wait_until(lambda: "library scan:" in svc.log_path.read_text(), timeout=30)
    yield svc
    svc.stop()


def _log_size(path: Path) -> int:
    return path.stat().st_size


def test_half_open_flood_under_the_file_limit(service: ServiceProcess) -> None:
    before = _log_size(service.log_path)
    flood = HalfOpenFlood(service.port, count=1100, sources=ATTACKERS).start()
    probes: list[tuple[int, float]] = []
    try:
        deadline = time.monotonic() + 30.0
        # Probe while the flood ramps up, and keep probing for a while after 1,100 connects.
        while time.monotonic() < deadline and (flood.connects < 1100 or len(probes) < 60):
            probes.append(timed_get(service.port, "/api/v1/health"))
            time.sleep(0.1)
    finally:
        flood.stop()
    slowest = max(took for _, took in probes)
    print(f"{len(probes)} health probes, slowest {slowest:.2f} s; flood: {flood.connects} connects")
    assert flood.connects >= 1100, (flood.connects, flood.refused)
    slow = [(i, status, round(took, 2)) for i, (status, took) in enumerate(probes)
            if status != 200 or took >= 1.0]  # fmt: skip
    assert not slow, f"{len(slow)} of {len(probes)} health probes failed or took 1 s: {slow[:10]}"
    assert service.running
    grown = _log_size(service.log_path) - before
    assert grown < 1_000_000, grown
    text = service.log_path.read_text(encoding="utf-8", errors="replace")
    assert "out of system resource" not in text
    assert "Traceback" not in text


def test_aiohttp_own_errors_are_the_error_object(service: ServiceProcess) -> None:
    for junk in [b"GARBAGE\r\n\r\n", b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n",
                 b"GET / HTTP/1.1\r\nHost: localhost\r\nX: " + b"b" * 9000 + b"\r\n\r\n",
                 b"GET / HTTP/9.9\r\nHost: localhost\r\n\r\n",
                 b"GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: -1\r\n\r\n"]:  # fmt: skip
        status, headers, body = raw_exchange(service.port, junk)
        assert 400 <= status < 500, (junk[:40], status)
        assert headers["content-type"].startswith("application/json"), junk[:40]
        assert set(body["error"]) == {"code", "message"}, body
    assert "Traceback" not in service.log_path.read_text(encoding="utf-8", errors="replace")


@pytest.mark.parametrize(
    "host", ["[::1]evil.example", "localhost..", "localhost:abc", "[::1", "localhost:80@evil"]
)
def test_look_alike_hosts_are_refused(service: ServiceProcess, host: str) -> None:
    status, _, body = raw_exchange(service.port, request_bytes("GET", "/api/v1/player", host=host))
    assert status in (400, 403), status
    assert "error" in body


def test_origin_with_user_info_is_cross_site(service: ServiceProcess) -> None:
    data = request_bytes("POST", "/api/v1/player/pause", Origin="http://localhost:80@evil.example")
    status, _, body = raw_exchange(service.port, data)
    assert status == 403
    assert body["error"]["code"] == "forbidden"
    ok = request_bytes("POST", "/api/v1/player/pause", Origin=f"http://localhost:{service.port}")
    assert raw_exchange(service.port, ok)[0] == 200


def _pair_from(port: int, source: str, name: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    body = json.dumps({"name": name})
    headers = {"Host": "localhost", "Content-Type": "application/json"}
    try:
        conn.request("POST", "/api/v1/pairing", body=body, headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()


def test_a_lan_client_cannot_fill_the_pairing_room(tmp_path: Path) -> None:
    with ServiceProcess(tmp_path / "paired", extra={"security": {"pairing": True}}) as svc:
        flood = [_pair_from(svc.port, "127.0.0.2", f"flood {n}") for n in range(8)]
        assert flood == [202] * 4 + [429] * 4
        assert _pair_from(svc.port, "127.0.0.1", "owner's phone") == 202
