"""The real service and systemd's notify protocol: READY first, watchdog pings, clean stop."""

from __future__ import annotations

import itertools
import signal
import statistics
import time
from pathlib import Path

from tests.integration.notify import NotifyListener, start_service
from tests.integration.service import ServiceProcess


def test_ready_before_mdns_then_watchdog_then_clean_stop(tmp_path: Path) -> None:
    deck = ServiceProcess(
        tmp_path / "deck", extra={"zeroconf": {"enabled": True, "interfaces": ["127.0.0.1"]}}
    )
    deck.write_config()
    listener = NotifyListener(tmp_path / "notify.sock")
    proc = start_service(deck.config_path, listener.path, watchdog_usec=400_000)
    try:
        listener.wait_for("READY=1")
        listener.collect(2.5)
        lines = [m for _, m in listener.messages]
        assert lines.index("READY=1") < lines.index("STATUS=Announcing on the local network")
        pings = [t for t, m in listener.messages if m == "WATCHDOG=1"]
        gaps = [b - a for a, b in itertools.pairwise(pings)]
        assert len(pings) >= 8, lines
        assert 0.1 < statistics.median(gaps) < 0.3  # half of the 0.4 s interval
        proc.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        assert proc.wait(5) == 0
        assert time.monotonic() - stopped < 2.0
        listener.collect(0.1)
        assert "STOPPING=1" in [m for _, m in listener.messages]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        listener.close()
