"""Issue 13 item 7: an address that cannot be listened on ends the real service at once, non-zero,
with one clear line and no traceback (under systemd: no restart loop of half-started services)."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.integration.service import ServiceProcess, free_port, run_once


def test_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        done = run_once(ServiceProcess(tmp_path / "svc", port=port))
    assert done.returncode == 2, done.stderr
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "svc" / "state" / "player.db").exists()  # nothing was started


def test_unresolvable_host_is_one_line_and_exit_2(tmp_path: Path) -> None:
    service = ServiceProcess(tmp_path / "svc")
    service.host = "no-such-host.invalid"
    done = run_once(service)
    assert done.returncode == 2, done.stderr
    assert "cannot listen on no-such-host.invalid:" in done.stderr
    assert "does not resolve" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_an_address_of_another_machine_is_refused_the_same_way(tmp_path: Path) -> None:
    service = ServiceProcess(tmp_path / "svc")
    service.host = "192.0.2.1"  # TEST-NET-1: never one of ours
    done = run_once(service)
    assert done.returncode == 2, done.stderr
    assert "cannot listen on 192.0.2.1:" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
