"""The image's multiroom key (issue 19): the boot partition's tapedeck.toml `[snapcast] role` decides
whether snapserver and the source's own snapclient start. Fast and not opt-in: it runs the image's
own `snapcast-role` on files, and checks that the image's snapserver.conf, tmpfiles entry and unit
drop-ins agree with each other and with tapedeck's `[snapcast]` defaults (the full boot is the
opt-in IMAGE_TEST)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from player.snapcast.settings import SnapcastConfig

REPO = Path(__file__).resolve().parents[2]
IMAGE = REPO / "image"
ROOTFS = IMAGE / "rootfs" / "common"
LIBEXEC = ROOTFS / "usr" / "libexec" / "tapedeck-image"
UNITS = ROOTFS / "usr" / "lib" / "systemd" / "system"
MARKER = "/run/tapedeck-image/snapcast-source"  # where snapcast-role leaves it by default
DROP_IN = "10-tapedeck-image.conf"


def role(tmp_path: Path, toml: str | None) -> tuple[bool, str, str]:
    """Run the image's snapcast-role on a tapedeck.toml: (marker left, stdout, stderr)."""
    config = tmp_path / "tapedeck.toml"
    if toml is None:
        config.unlink(missing_ok=True)
    else:
        config.write_text(toml, encoding="utf-8")
    markers = tmp_path / "run"
    result = subprocess.run(
        [sys.executable, str(LIBEXEC / "snapcast-role"), str(config), str(markers)],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr  # never a reason to fail the boot
    return (markers / "snapcast-source").exists(), result.stdout, result.stderr


def settings(path: Path) -> dict[str, list[str]]:
    """Every `Key=value` of a unit file or drop-in (all sections), in order."""
    found: dict[str, list[str]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_a_source_leaves_the_marker(tmp_path: Path) -> None:
    started, out, _ = role(tmp_path, '[snapcast]\nrole = "source"\n')
    assert started and "snapcast role: source" in out


@pytest.mark.parametrize(
    "toml",
    [
        None,  # no tapedeck.toml on the card
        '[server]\nname = "Kitchen"\n',  # no [snapcast]: plays on its own
        '[snapcast]\nrole = "off"\n',
        '[snapcast]\nrole = "room"\nserver = "192.168.1.20"\n',  # tapedeck's own snapclient
        '[snapcast]\nrole = "sauce"\n',
        "[snapcast\nrole = ",  # not TOML
    ],
)
def test_anything_else_takes_the_marker_away(tmp_path: Path, toml: str | None) -> None:
    role(tmp_path, '[snapcast]\nrole = "source"\n')  # a source last boot
    started, _, _ = role(tmp_path, toml)
    assert not started


def test_a_room_without_its_server_is_told(tmp_path: Path) -> None:
    started, out, err = role(tmp_path, '[snapcast]\nrole = "room"\n')
    assert not started and "snapcast role: room" in out
    assert "a room needs [snapcast] server" in err
    _, out, err = role(tmp_path, '[snapcast]\nrole = "room"\nserver = "192.168.1.20"\n')
    assert "snapserver at 192.168.1.20" in out and err == ""


def test_bootconfig_runs_it_and_the_image_has_snapcast() -> None:
    assert "/usr/libexec/tapedeck-image/snapcast-role" in (LIBEXEC / "bootconfig").read_text()
    assert (LIBEXEC / "snapcast-role").stat().st_mode & 0o111
    packages = (IMAGE / "packages" / "common").read_text().split()
    assert {"snapserver", "snapclient"} <= set(packages)
    enabled = (IMAGE / "hooks" / "customize.sh").read_text()
    assert "snapserver.service snapclient.service" in enabled


def test_the_images_stream_is_tapedecks_default() -> None:
    """`role = "source"` alone must work: the stream in the image's snapserver.conf is the one
    tapedeck feeds by default, in its folder with group tapedeck."""
    defaults = SnapcastConfig()
    sources = settings(ROOTFS / "etc" / "snapserver.conf")["source"]
    streams = {}
    for uri in sources:
        parts = urlsplit(uri)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        streams[query["name"]] = (parts.scheme, parts.path, query.get("sampleformat"))
    assert streams[defaults.stream] == ("pipe", defaults.fifo, defaults.sampleformat)
    assert len(streams) >= 2  # somewhere for a room to go when it leaves the group
    folder = str(Path(defaults.fifo).parent)
    tmpfiles = (ROOTFS / "usr" / "lib" / "tmpfiles.d" / "tapedeck-snapcast.conf").read_text()
    entry = next(line.split() for line in tmpfiles.splitlines() if line.startswith("d "))
    assert entry[1:5] == [folder, "2770", "_snapserver", "tapedeck"]
    tapedeck = settings(UNITS / "tapedeck.service.d" / "10-image.conf")
    assert f"-{folder}" in tapedeck["ReadWritePaths"]


@pytest.mark.parametrize("unit", ["snapserver.service", "snapclient.service"])
def test_the_snapcast_units_start_on_a_source_only(unit: str) -> None:
    drop_in = settings(UNITS / f"{unit}.d" / DROP_IN)
    assert drop_in["ConditionPathExists"] == [MARKER]
    assert "tapedeck-bootconfig.service" in " ".join(drop_in["After"])


def test_the_sources_snapclient_plays_the_local_snapserver() -> None:
    exec_start = settings(UNITS / "snapclient.service.d" / DROP_IN)["ExecStart"]
    assert exec_start[0] == ""  # replaces Debian's, not a second command
    assert "-h 127.0.0.1" in exec_start[1]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
@pytest.mark.parametrize("unit", ["snapserver.service", "snapclient.service"])
def test_the_drop_ins_verify_clean_on_debians_units(tmp_path: Path, unit: str) -> None:
    debian = Path("/lib/systemd/system") / unit
    if not debian.exists():
        pytest.skip(f"Debian's {unit} is not installed")
    shutil.copy(debian, tmp_path / unit)
    (tmp_path / f"{unit}.d").mkdir()
    ours = shutil.copy(UNITS / f"{unit}.d" / DROP_IN, tmp_path / f"{unit}.d" / DROP_IN)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(tmp_path / unit)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    complaints = [
        line for line in (result.stdout + result.stderr).splitlines() if str(ours) in line
    ]
    assert complaints == []
