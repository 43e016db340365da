"""Bad input gets an ACK or a close, never a crash; limits hold; a long command list or many
clients never hold the others (or the HTTP API) up."""

from __future__ import annotations

import asyncio
import json
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.integration.service import REPO_ROOT, ServiceProcess
from tests.mpd.conftest import (
    Line,
    RawClient,
    connect,
    mpd_port,
    start_scanned,
    tapedeck_service,
)


@pytest.fixture
def strict_deck(tmp_path: Path, music: Path) -> Iterator[ServiceProcess]:
    """A service with small limits: 2 s idle timeout, 4 connections, a password."""
    service = tapedeck_service(
        tmp_path / "deck", music, idle_timeout=2.0, max_connections=4, password="s3cret"
    )
    start_scanned(service)
    yield service
    service.stop()


def _authed(port: int) -> RawClient:
    client = RawClient(port)
    assert client.command("password s3cret") == ["OK"]
    return client


def test_bad_input_gets_an_ack_or_a_close_and_the_service_stays_up(
    strict_deck: ServiceProcess,
) -> None:
    port = mpd_port(strict_deck)
    client = RawClient(port)
    assert client.greeting == "OK MPD 0.23.0\n"
    assert client.command("status") == [
        'ACK [4@0] {status} you don\'t have permission for "status"'
    ]
    assert client.command("password nope") == ["ACK [3@0] {password} incorrect password"]
    assert client.command("password s3cret") == ["OK"]
    assert client.command("frobnicate") == ['ACK [5@0] {} unknown command "frobnicate"']
    assert client.command("play 1 2 3") == ['ACK [2@0] {play} wrong number of arguments for "play"']
    assert client.command("setvol loud") == ["ACK [2@0] {setvol} Integer expected: loud"]
    assert client.command('add "unterminated') == ["ACK [2@0] {} Missing closing '\"'"]
    assert client.command('find "(Artist ==)"')[0].startswith("ACK [2@0] {find}")
    client.send(bytes(range(256)).replace(b"\n", b"") + b"\n")
    assert client.answer()[0].startswith("ACK [")
    client.close()

    listed = RawClient(port)
    assert listed.command("password s3cret") == ["OK"]
    listed.send("command_list_ok_begin\nping\nfoo\nping\ncommand_list_end\n")
    assert listed.answer() == ["list_OK", 'ACK [5@1] {} unknown command "foo"']
    listed.close()

    huge = _authed(port)
    huge.send(b"ping " + b"x" * (1024 * 1024) + b"\n")
    assert huge.answer() == ["ACK [2@0] {} line too long"] and huge.closed()

    web_page = RawClient(port)
    web_page.send("GET / HTTP/1.1\r\nHost: kitchen.local:6600\r\n\r\n")
    assert web_page.answer() == [] and web_page.closed()  # hung up at once, nothing said

    silent = RawClient(port)
    assert silent.closed()  # dropped after the 2 s idle_timeout

    idler = _authed(port)
    idler.send("idle\n")
    time.sleep(3)  # longer than idle_timeout: idle is never timed out
    idler.send("noidle\n")
    assert idler.answer() == ["OK"]
    idler.close()

    assert _authed(port).command("ping") == ["OK"]
    assert strict_deck.running and strict_deck.api("GET", "/player")["state"] == "stopped"


def test_max_connections_and_a_client_that_never_reads(strict_deck: ServiceProcess) -> None:
    port = mpd_port(strict_deck)
    client = _authed(port)
    assert client.command('add ""')[-1] == "OK"
    for _ in range(5):
        assert client.command("command_list_begin\n" + 'add ""\n' * 40 + "command_list_end") == [
            "OK"
        ]
    deaf = _authed(port)
    deaf.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    deaf.send("playlistinfo\n" * 200)  # megabytes of answers it will never read
    others = [_authed(port) for _ in range(2)]
    refused = RawClient(port)  # the fifth connection
    assert refused.greeting == "" and refused.closed()
    for other in others:
        assert other.command("ping") == ["OK"]  # served while the deaf client's answers pile up
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(_connections(strict_deck)) > 3:
        time.sleep(0.2)
    assert len(_connections(strict_deck)) <= 3, "the client that never reads was not dropped"
    assert _authed(port).command("ping") == ["OK"]
    for c in (client, deaf, refused, *others):
        c.close()


def _connections(service: ServiceProcess) -> list[Any]:
    assert service.process is not None
    port = mpd_port(service)
    proc = psutil.Process(service.process.pid)
    return [
        c for c in proc.net_connections("tcp") if c.laddr.port == port and c.status == "ESTABLISHED"
    ]


async def test_a_long_command_list_never_holds_other_clients_up(
    deck: tuple[TestClient[Any, Any], web.Application, int],
) -> None:
    _, _, port = deck
    busy, other = await Line.open(port), await Line.open(port)
    try:
        await busy.send("command_list_ok_begin\n" + "status\n" * 10_000 + "command_list_end")
        done = asyncio.ensure_future(_read_until_ok(busy))
        await asyncio.sleep(0.01)
        assert not done.done()
        assert await other.command("ping") == ["OK"]
        assert not done.done(), "ping was answered only after the whole list"
        lines = await asyncio.wait_for(done, 60)
        assert lines.count("list_OK") == 10_000 and lines[-1] == "OK"
    finally:
        await busy.close()
        await other.close()


async def _read_until_ok(line: Line) -> list[str]:
    lines: list[str] = []
    while True:
        text = (await line.reader.readline()).decode().rstrip("\n")
        lines.append(text)
        if text == "OK" or not text:
            return lines


def _latencies(service: ServiceProcess, samples: int) -> list[float]:
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        status, _ = service.request("GET", "/api/v1/player")
        times.append(time.perf_counter() - started)
        assert status == 200
        time.sleep(0.005)
    return times


def _p99(times: list[float]) -> float:
    return statistics.quantiles(times, n=100)[98]


@dataclass
class _Run:
    alone: list[float] = field(default_factory=list)
    crowded: list[float] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return _p99(self.crowded) / max(_p99(self.alone), 0.002)  # a floor for sub-ms noise


def _run_with_and_without(service: ServiceProcess, port: int) -> _Run:
    """Alternate short rounds without and with the crowd, so the machine's other load (two
    cores shared with other test runs) weighs on both sides alike."""
    assert service.process is not None
    proc = psutil.Process(service.process.pid)
    run = _Run()
    for _ in range(6):
        run.alone += _latencies(service, 60)
        crowd = subprocess.Popen(
            [sys.executable, "-m", "tests.mpd.crowd", str(port), "3"],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        time.sleep(1.0)
        run.rss.append(proc.memory_info().rss)
        run.crowded += _latencies(service, 60)
        out, _ = crowd.communicate(timeout=60)
        run.results.append(json.loads(out))
    return run


@pytest.mark.slow
def test_fifty_clients_leave_the_http_api_and_each_other_alone(tmp_path: Path, music: Path) -> None:
    service = tapedeck_service(tmp_path / "deck", music, max_connections=60)
    try:
        start_scanned(service)
        port = mpd_port(service)
        setup = connect(port)
        setup.add("")
        setup.disconnect()
        _latencies(service, 50)  # warm up
        runs: list[_Run] = []
        # A p99 on a loaded shared machine is mostly the scheduler's: up to three runs, the
        # best one counts. A server whose MPD work held the HTTP API up would fail all three.
        while len(runs) < 3 and (not runs or runs[-1].ratio > 2):
            runs.append(_run_with_and_without(service, port))
            run = runs[-1]
            answers = [n for r in run.results for n in r["answers"]]
            print(f"\nHTTP p99 alone {_p99(run.alone) * 1000:.2f} ms, with 50 MPD clients"
                  f" {_p99(run.crowded) * 1000:.2f} ms; RSS {[round(r / 2**20, 1) for r in run.rss]}"
                  f" MiB; status answers per poller: min {min(answers)}, max {max(answers)}")  # fmt: skip
            assert min(answers) >= 4, "a polling client was starved"
            assert run.rss[-1] - run.rss[0] < 8 * 2**20, "memory grew from round to round"
            assert all(r["idle_alive"] == 10 for r in run.results)
        assert min(r.ratio for r in runs) <= 2
    finally:
        service.stop()


def test_a_taken_mpd_port_is_logged_and_the_rest_runs(tmp_path: Path, music: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        service = tapedeck_service(tmp_path / "deck", music, port=port)
        service.start()  # healthy: music and the page do not depend on the MPD port
        try:
            assert service.api("GET", "/player")["state"] == "stopped"
            assert f"mpd: cannot listen on 127.0.0.1:{port}" in service.log_tail(200)
        finally:
            service.stop()
