import asyncio
import itertools
import socket
import time
from pathlib import Path

from player.system.notify import Notifier


def _listen(tmp_path: Path) -> tuple[socket.socket, str]:
    path = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.setblocking(False)
    return sock, path


def _drain(sock: socket.socket) -> list[str]:
    got = []
    while True:
        try:
            got.append(sock.recv(4096).decode())
        except BlockingIOError:
            return got


def test_no_socket_means_silence() -> None:
    notifier = Notifier({})
    assert not notifier.enabled
    notifier.ready()  # must not raise


def test_watchdog_interval_comes_from_env(tmp_path: Path) -> None:
    assert Notifier({"WATCHDOG_USEC": "20000000"}).watchdog_interval == 20.0
    assert Notifier({"WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "1"}).watchdog_interval is None
    assert Notifier({"WATCHDOG_USEC": "x"}).watchdog_interval is None


async def test_status_is_sent_once_per_change(tmp_path: Path) -> None:
    sock, path = _listen(tmp_path)
    notifier = Notifier({"NOTIFY_SOCKET": path})
    notifier.status("Playing: a")
    notifier.status("Playing: a")
    notifier.status("Stopped")
    assert _drain(sock) == ["STATUS=Playing: a", "STATUS=Stopped"]
    sock.close()


async def test_a_blocked_loop_stops_the_pings(tmp_path: Path) -> None:
    sock, path = _listen(tmp_path)
    notifier = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "100000"})
    pings: list[float] = []

    async def collect() -> None:
        loop = asyncio.get_running_loop()
        while True:
            await loop.sock_recv(sock, 4096)
            pings.append(time.monotonic())

    collector = asyncio.create_task(collect())
    task = asyncio.create_task(notifier.watchdog())
    await asyncio.sleep(0.5)
    time.sleep(0.6)  # noqa: ASYNC251 -- the loop is stuck on purpose: no ping may go out now
    blocked_at = time.monotonic()
    await asyncio.sleep(0.3)
    task.cancel()
    collector.cancel()
    sock.close()
    gaps = [b - a for a, b in itertools.pairwise(pings)]
    assert len(pings) >= 5
    assert max(gaps) >= 0.55  # the pause shows as one long gap
    assert sorted(gaps)[len(gaps) // 2] < 0.2  # otherwise pings come at half the interval
    assert any(p > blocked_at for p in pings)  # and they resume once the loop runs again
