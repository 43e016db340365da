"""The scale benchmark's figures taken from a running service: READY, and the queue at 20,000."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

import aiohttp

from tests.bench.scale_probes import MIB, Table, memory, p99
from tests.integration.notify import NotifyListener, start_service
from tests.integration.service import ServiceProcess
from tests.unit_env import unit_environment

CHUNK = 10_000  # ids per POST /queue (the route's limit)
PHONE_EVENTS = "/api/v1/events?queue=changes"  # what the phone page connects to


def ready_seconds(root: Path, runs: int = 3) -> float:
    """Median seconds from process start to READY=1, with nothing optional configured.

    With bytecode, as an installed tapedeck has it (pip compiles at install): the test
    environment sets PYTHONDONTWRITEBYTECODE, which would make every start compile each module
    again (a third of the time). A first start, not counted, writes it under `root`. The rest of
    the environment is the systemd unit's (SSL_CERT_FILE: see systemd/tapedeck.service)."""
    deck = ServiceProcess(root, extra={"library": {"demo": False}})
    deck.write_config()
    env: dict[str, str | None] = {
        **unit_environment(),
        "PYTHONDONTWRITEBYTECODE": None,
        "PYTHONPYCACHEPREFIX": str(root / "pycache"),
    }
    times = []
    for run in range(runs + 1):
        listener = NotifyListener(root / "notify.sock")
        started = time.perf_counter()
        deck.process = start_service(deck.config_path, root / "notify.sock", env_extra=env)
        try:
            # the first start compiles every module it imports (stdlib too): give it time
            times.append(listener.wait_for("READY=1", 15.0 if run else 180.0) - started)
        finally:
            listener.close()
            deck.stop()
    return statistics.median(times[1:])


def _post(service: ServiceProcess, body: object) -> tuple[int, int, float]:
    """POST /queue: (status, reply bytes, seconds)."""
    data = json.dumps(body).encode()
    req = urllib.request.Request(
        service.base_url + "/api/v1/queue", data,
        {"Content-Type": "application/json", "Accept": "application/json"}, method="POST",
    )  # fmt: skip
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=60) as res:
            return res.status, len(res.read()), time.perf_counter() - started
    except urllib.error.HTTPError as err:
        return err.code, len(err.read()), time.perf_counter() - started


def queue_figures(table: Table, service: ServiceProcess, ids: Sequence[str]) -> None:
    """Fill the queue with `ids` (CHUNK per request), then measure a track change and big POSTs."""
    assert service.process is not None
    # The same measure with 100 entries first, side by side at the machine's load of the moment.
    assert _post(service, {"item_ids": list(ids[:100]), "mode": "replace"})[0] == 200
    small, _ = asyncio.run(_track_changes(service))
    before = memory(service.process.pid)
    for start in range(0, len(ids), CHUNK):
        mode = "replace" if start == 0 else "append"
        status, _, _ = _post(service, {"item_ids": list(ids[start : start + CHUNK]), "mode": mode})
        assert status == 200, status
    after = memory(service.process.pid)
    stalls, sent = asyncio.run(_track_changes(service))
    table.add(
        f"a track change with a {len(ids):,}-entry queue",
        f"stall p99 {p99(stalls) * 1000:.1f} ms, max {max(stalls) * 1000:.1f} ms;"
        f" {sent / 1000:.1f} KB to a connected phone per change;"
        f" queue +{(after.rss - before.rss) / MIB:.0f} MiB RSS"
        f" ({(after.rss - before.rss) / len(ids):,.0f} B per entry)",
        f"100 entries now: p99 {p99(small) * 1000:.1f} ms (was 1.25 ms)",
    )
    assert sent < 10_000, sent  # what a phone receives does not grow with the queue
    status, size, seconds = _post(service, {"item_ids": list(ids[:500]), "mode": "append"})
    table.add(
        f"POST /queue append 500 onto {len(ids):,}",
        f"{seconds * 1000:.0f} ms, {size / 1e6:.1f} MB reply (status {status})",
    )
    for count in (5_000, 10_000):
        status, _, seconds = _post(service, {"item_ids": list(ids[:count]), "mode": "append"})
        table.add(f"a queue of {count:,} ids in one POST", f"status {status}, {seconds:.2f} s")
        assert status == 200


async def _track_changes(service: ServiceProcess, changes: int = 3) -> tuple[list[float], float]:
    """Probe latencies (GET /health in a loop) while the track changes; WebSocket bytes per change."""
    base = service.base_url
    received = [0]
    stalls: list[float] = []
    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(base + PHONE_EVENTS, max_msg_size=0)
        await session.post(base + "/api/v1/queue/jump", json={"index": 0})

        async def read() -> None:
            async for msg in ws:
                received[0] += len(msg.data) if isinstance(msg.data, str | bytes) else 0

        async def probe() -> None:
            while True:
                started = time.perf_counter()
                async with session.get(base + "/api/v1/health") as res:
                    await res.read()
                stalls.append(time.perf_counter() - started)

        first = await ws.receive()  # the snapshot (the whole queue) is not a change's cost
        assert first.type is aiohttp.WSMsgType.TEXT
        tasks = [asyncio.create_task(read()), asyncio.create_task(probe())]
        await asyncio.sleep(1.0)
        received[0] = 0
        stalls.clear()
        for _ in range(changes):
            await session.post(base + "/api/v1/player/next")
            await asyncio.sleep(1.0)
        sent = received[0] / changes
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await ws.close()
    return stalls, sent
