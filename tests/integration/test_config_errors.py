"""Issue 13 item 11: every config mistake ends the real service at once with the loader's report
(exit 2, each problem with its key path, no traceback), never a half-started service that
systemd restarts for ever; a Jellyfin server refusing the password is one of them."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.jellyfin import FakeJellyfin
from tests.integration.jellyfin_thread import serving
from tests.integration.service import ServiceProcess, run_once

Tables = dict[str, dict[str, Any]]


def a_file(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "plain-file").write_text("not a folder")
    return root / "plain-file"


MISTAKES: dict[str, tuple[str, Callable[[Path], Tables]]] = {
    "missing password_file": ("jellyfin.password_file", lambda r: {"jellyfin": {
        "url": "http://127.0.0.1:9", "username": "kitchen",
        "password_file": str(r / "no-such.pw")}}),
    "missing api_key_file": ("slskd.api_key_file", lambda r: {"slskd": {
        "url": "http://127.0.0.1:9", "api_key_file": str(r / "no-such.key")}}),
    "jellyfin url without scheme": ("jellyfin.url", lambda r: {"jellyfin": {
        "url": "jellyfin.lan:8096", "username": "kitchen", "password": "x"}}),
    "slskd url with a bad port": ("slskd.url", lambda r: {"slskd": {
        "url": "http://slskd.lan:abc", "api_key": "k"}}),
    "jellyfin without credentials": ("jellyfin.username", lambda r: {"jellyfin": {
        "url": "http://127.0.0.1:9"}}),
    "state_dir is a file": ("paths.state_dir", lambda r: {"paths": {
        "state_dir": str(a_file(r))}}),
    "music_dir under a file": ("library.music_dir", lambda r: {"library": {
        "music_dir": str(a_file(r) / "music")}}),
    "zero network interval": ("network.interval", lambda r: {"network": {"interval": 0}}),
    "infinite checkpoint interval": ("player.checkpoint_interval", lambda r: {"player": {
        "checkpoint_interval": float("inf")}}),
    "negative retry delay": ("downloads.retry_delays", lambda r: {"downloads": {
        "retry_delays": [5.0, -1.0]}}),
    "interface name for an address": ("zeroconf.interfaces[0]", lambda r: {"zeroconf": {
        "interfaces": ["eth0"]}}),
    "empty server name": ("server.name", lambda r: {"server": {"name": " "}}),
    "tiny demuxer buffer": ("audio.demuxer_max_bytes", lambda r: {"audio": {
        "demuxer_max_bytes": 0}}),
    "a thousand downloads at once": ("downloads.concurrency", lambda r: {"downloads": {
        "concurrency": 1000}}),
    "bad gpio pin": ("gpio.buttons[0].pin", lambda r: {"gpio": {"buttons": [{"pin": -3, "action": "next"}]}}),
    "bad cache policy": ("cache.policy", lambda r: {"cache": {"policy": "greedy"}}),
}  # fmt: skip


def assert_clear_report(done: subprocess.CompletedProcess[str], key: str) -> None:
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "problem(s):" in output and f"  {key}: " in output, output
    assert "Traceback" not in output, output


@pytest.mark.parametrize("mistake", MISTAKES)
def test_a_config_mistake_is_the_loaders_report_and_exit_2(tmp_path: Path, mistake: str) -> None:
    key, tables = MISTAKES[mistake]
    service = ServiceProcess(tmp_path / "svc", extra=tables(tmp_path / "files"))
    done = run_once(service)
    assert_clear_report(done, key)
    assert not (tmp_path / "svc" / "state" / "player.db").exists()  # nothing was started


def test_a_config_file_that_is_not_text_is_one_clear_error(tmp_path: Path) -> None:
    service = ServiceProcess(tmp_path / "svc")
    service.write_config()
    service.config_path.write_bytes(b"\xff\xfe[server]\x00")
    done = run_once(service, write=False)
    assert done.returncode == 2 and "not valid TOML" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.mpv
def test_a_refused_jellyfin_password_ends_the_service_with_the_report(tmp_path: Path) -> None:
    fake = FakeJellyfin()
    fake.add_user("kitchen", "right")
    with serving(fake) as server:
        jellyfin = {"url": server.fake.url, "username": "kitchen", "password": "wrong"}
        service = ServiceProcess(tmp_path / "svc", extra={"jellyfin": jellyfin})
        done = run_once(service)
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "problem(s):" in output
    assert "jellyfin.password: Jellyfin rejected the user name or password" in output
    assert "Traceback" not in output
