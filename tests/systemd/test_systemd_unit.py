"""The shipped unit passes `systemd-analyze verify` and scores <= 2.0 in `systemd-analyze security`."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from player.system.poweroff import REQUEST_NAME

SYSTEMD_DIR = Path(__file__).resolve().parents[2] / "systemd"
UNIT = SYSTEMD_DIR / "tapedeck.service"
SYSUSERS = SYSTEMD_DIR / "tapedeck.sysusers"
INSTALLED_BINARY = "/opt/tapedeck/venv/bin/tapedeck"
MAX_EXPOSURE = 2.0

pytestmark = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed"
)


def _settings(text: str) -> dict[str, list[str]]:
    """Every `Key=value` of a unit (all sections), in order; keys may repeat."""
    found: dict[str, list[str]] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        found.setdefault(key.strip(), []).append(value.strip())
    return found


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)


def _installable_copy(tmp_path: Path, extra: str = "") -> Path:
    """The unit, byte for byte, except ExecStart points at a real executable named like ours.

    verify rightly fails when ExecStart's binary is missing; on this machine the venv is not at
    /opt, so a stand-in with the same name and arguments keeps every other check intact.
    """
    stand_in = tmp_path / "venv" / "bin" / "tapedeck"
    stand_in.parent.mkdir(parents=True)
    stand_in.write_text("#!/bin/sh\nexit 0\n")
    stand_in.chmod(0o755)
    text = UNIT.read_text()
    assert text.count(INSTALLED_BINARY) == 1
    text = text.replace(INSTALLED_BINARY, str(stand_in)).replace(
        "[Service]\n", f"[Service]\n{extra}"
    )
    copy = tmp_path / "tapedeck.service"  # same name: unit-name resolution is part of the check
    copy.write_text(text)
    return copy


def _complaints(result: subprocess.CompletedProcess[str], unit: Path) -> list[str]:
    lines = (result.stdout + result.stderr).splitlines()
    return [line for line in lines if unit.name in line or str(unit) in line]


def test_verify_is_clean(tmp_path: Path) -> None:
    copy = _installable_copy(tmp_path)
    result = _run("systemd-analyze", "verify", "--man=no", str(copy))
    assert result.returncode == 0, result.stderr
    assert _complaints(result, copy) == []


def test_verify_check_catches_mistakes(tmp_path: Path) -> None:
    """Guards the test above: an unknown key is only a warning, so warnings must be caught too."""
    copy = _installable_copy(tmp_path, extra="ProtectSytem=strict\n")
    result = _run("systemd-analyze", "verify", "--man=no", str(copy))
    assert any("ProtectSytem" in line for line in _complaints(result, copy))


def test_exposure_level_is_low() -> None:
    result = _run("systemd-analyze", "security", "--offline=true", "--no-pager", str(UNIT))
    match = re.search(
        r"Overall exposure level for tapedeck\.service: (\d+(?:\.\d+)?)", result.stdout
    )
    assert match is not None, result.stdout + result.stderr
    assert float(match.group(1)) <= MAX_EXPOSURE


def test_supervision_settings() -> None:
    s = _settings(UNIT.read_text())
    assert s["Type"] == ["notify"]
    assert s["NotifyAccess"] == ["main"]
    assert s["Restart"] == ["on-failure"]
    assert s["WatchdogSec"] and s["TimeoutStopSec"]
    assert s["ExecStart"] == [f"{INSTALLED_BINARY} serve"]
    assert s["User"] == ["tapedeck"]
    for key in ("StateDirectory", "CacheDirectory", "ConfigurationDirectory"):
        assert s[key] == ["tapedeck"]


def test_ordering_does_not_wait_for_network_online() -> None:
    s = _settings(UNIT.read_text())
    after = " ".join(s["After"]).split()
    assert {"sound.target", "network.target"} <= set(after)
    for key in ("After", "Wants", "Requires", "BindsTo"):
        assert "network-online.target" not in " ".join(s.get(key, []))


def test_sandbox_still_reaches_devices_and_network() -> None:
    s = _settings(UNIT.read_text())
    assert s["DevicePolicy"] == ["closed"]
    assert {"char-alsa rw", "char-gpiochip rw"} <= set(s["DeviceAllow"])
    assert "PrivateDevices" not in s  # would hide /dev/snd and /dev/gpiochip*
    families = set(" ".join(s["RestrictAddressFamilies"]).split())
    assert families == {"AF_UNIX", "AF_INET", "AF_INET6", "AF_NETLINK"}
    assert {"audio", "gpio"} <= set(" ".join(s["SupplementaryGroups"]).split())


@pytest.mark.skipif(shutil.which("systemd-sysusers") is None, reason="no systemd-sysusers")
def test_sysusers_creates_the_user_and_missing_groups(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (etc / "group").write_text("root:x:0:\naudio:x:29:\n")
    result = _run("systemd-sysusers", "--dry-run", f"--root={tmp_path}", str(SYSUSERS))
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "Creating user 'tapedeck'" in out
    assert "Creating group 'gpio'" in out
    assert "group 'audio'" not in out


POWEROFF_PATH = SYSTEMD_DIR / "tapedeck-poweroff.path"
POWEROFF_SERVICE = SYSTEMD_DIR / "tapedeck-poweroff.service"


def test_poweroff_units_verify_clean(tmp_path: Path) -> None:
    copies = []
    for unit in (POWEROFF_PATH, POWEROFF_SERVICE):
        copy = tmp_path / unit.name
        copy.write_text(unit.read_text())
        copies.append(copy)
    result = _run("systemd-analyze", "verify", "--man=no", *map(str, copies))
    assert result.returncode == 0, result.stderr
    assert [line for copy in copies for line in _complaints(result, copy)] == []


def test_shutdown_button_request_reaches_a_clean_poweroff() -> None:
    """The service writes <RuntimeDirectory>/poweroff (player/system/poweroff.py); the path unit
    watches exactly that file; the oneshot removes it and has systemd power off (no reboot(2))."""
    service = _settings(UNIT.read_text())
    assert service["RuntimeDirectory"] == ["tapedeck"]
    path = _settings(POWEROFF_PATH.read_text())
    assert path["PathExists"] == [f"/run/tapedeck/{REQUEST_NAME}"]
    assert path["Unit"] == [POWEROFF_SERVICE.name]
    oneshot = _settings(POWEROFF_SERVICE.read_text())
    assert oneshot["ExecStart"] == [f"/bin/rm -f /run/tapedeck/{REQUEST_NAME}"]
    assert oneshot["SuccessAction"] == ["poweroff"]  # poweroff.target: every service stopped
