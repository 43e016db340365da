"""Fixtures: a real snapserver with two real snapclient rooms."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.snapcast.snapserver import SnapClient, SnapServer, start_rooms


@pytest.fixture
def snapserver(tmp_path: Path) -> Iterator[SnapServer]:
    server = SnapServer(tmp_path / "snap")
    server.start()
    yield server
    server.kill()


@pytest.fixture
def rooms(snapserver: SnapServer) -> Iterator[list[SnapClient]]:
    clients = start_rooms(snapserver)
    yield clients
    for client in clients:
        client.stop()
