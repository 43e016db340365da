"""Fixtures: a real snapserver with two real snapclient rooms."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.snapcast.snapserver import SnapClient, SnapServer


@pytest.fixture
def snapserver(tmp_path: Path) -> Iterator[SnapServer]:
    server = SnapServer(tmp_path / "snap")
    server.start()
    yield server
    server.kill()


@pytest.fixture
def rooms(snapserver: SnapServer) -> Iterator[list[SnapClient]]:
    clients = [SnapClient(snapserver, "kitchen"), SnapClient(snapserver, "garden")]
    for client in clients:
        client.start()
    for _ in range(200):  # until snapserver lists both as connected
        known = snapserver.clients()
        if all(known.get(c.host_id, {}).get("connected") for c in clients):
            break
        time.sleep(0.05)
    yield clients
    for client in clients:
        client.stop()
