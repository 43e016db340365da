"""The SD-card image (issue 8): builds both variants with image/Makefile, checks the arm64 card's
partitions and boot files, and boots the amd64 variant in qemu with a tapedeck.toml on its boot
partition, talking to the service only through a port forwarded to 127.0.0.1.

Opt-in: skipped unless IMAGE_TEST=1 (`make image-test`). When asked, a missing tool is a failure,
never a skip. Build and boot times are written to image/build/timings.txt.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.image import diskimage
from tests.image.vm import Vm, ovmf_files
from tests.integration.service import free_port

REPO = Path(__file__).resolve().parents[2]
IMAGE_DIR = REPO / "image"
BUILD = IMAGE_DIR / "build"
TIMINGS = BUILD / "timings.txt"
TOOLS = (
    "make", "mmdebstrap", "qemu-system-x86_64", "mkfs.ext4", "mkfs.vfat", "sfdisk",
    "mcopy", "mdir", "mtype", "mlabel", "debugfs",
)  # fmt: skip
BUILD_TIMEOUT = 30 * 60  # generous bound for a cold arm64 build under qemu-user; not an assertion
BOOT_TIMEOUT_KVM = 300.0
BOOT_TIMEOUT_TCG = 900.0
# Generous bounds for a guest under software emulation on a busy machine; each wait ends on the
# event it waits for (a console line, qemu's exit), so a fast machine never waits them out.
BUTTON_TIMEOUT = 300.0  # from the press to logind's "Power key pressed"
SHUTDOWN_TIMEOUT = 600.0  # from the press to qemu's exit
FAT32_LBA, EFI_SYSTEM, LINUX = 0x0C, 0xEF, 0x83
STARTED = "Started tapedeck.service"
NULL_OUTPUT = "playing to mpv's null output"
LOADER_ENTRY = "loader/entries/tapedeck.conf"
JOURNAL_TO_CONSOLE = "systemd.journald.forward_to_console=1"
# logind watches the ACPI button's input device (the button and evdev modules): before this line
# a press has no listener and is lost, as on any PC still booting.
WATCHING_BUTTON = "(Power Button)"  # "Watching system buttons on /dev/input/event1 (Power Button)"
# What a clean power-off says on the console, in order: logind took the press, tapedeck saved its
# session while systemd stopped it, it exited 0 (no SIGKILL, no failure), the kernel powered off.
POWER_OFF_LINES = (
    "Power key pressed",
    "the queue and the play position are saved for the next start",
    "tapedeck.service: Deactivated successfully",
    "reboot: Power down",
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("IMAGE_TEST") != "1", reason="image test is opt-in: IMAGE_TEST=1"
    ),
]


def _record(what: str, seconds: float) -> None:
    BUILD.mkdir(parents=True, exist_ok=True)
    with TIMINGS.open("a") as f:
        f.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {what}: {seconds:.0f} s\n")


@pytest.fixture(scope="module")
def tools() -> None:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if os.geteuid() != 0:
        missing.append("root (mmdebstrap --mode=root)")
    try:
        ovmf_files()
    except RuntimeError:
        missing.append("ovmf")
    if missing:
        pytest.fail(f"IMAGE_TEST=1 but missing: {', '.join(missing)} (make -C image tools)")


def _build(arch: str) -> Path:
    """`make -C image <arch>`: a no-op when the image is newer than the recipe and the sources."""
    start = time.monotonic()
    log = BUILD / f"make-{arch}.log"
    BUILD.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        done = subprocess.run(
            ["make", "-C", str(IMAGE_DIR), arch],
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=BUILD_TIMEOUT,
            check=False,
        )
    if done.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
        pytest.fail(f"make -C image {arch} failed ({log}):\n{tail}")
    _record(f"make {arch}", time.monotonic() - start)
    return BUILD / f"tapedeck-{arch}.img"


@pytest.fixture(scope="module")
def arm64_image(tools: None) -> Path:
    return _build("arm64")


@pytest.fixture(scope="module")
def amd64_image(tools: None) -> Path:
    return _build("amd64")


def _parts(image: Path) -> tuple[diskimage.Partition, diskimage.Partition]:
    found = diskimage.partitions(image)
    assert len(found) == 2, found
    return found[0], found[1]


# --- The amd64 boot -----------------------------------------------------------------------------


def test_amd64_partitions_and_loader(amd64_image: Path) -> None:
    boot, root = _parts(amd64_image)
    assert boot.type_id == EFI_SYSTEM and boot.bootable
    assert diskimage.fat_label(amd64_image, boot) == "TAPEBOOT"
    assert diskimage.ext4_label(amd64_image, root) == "TAPEROOT"
    files = diskimage.fat_files(amd64_image, boot)
    assert {
        "EFI/BOOT/BOOTX64.EFI",
        "vmlinuz",
        "initrd.img",
        "loader/entries/tapedeck.conf",
    } <= files


@pytest.fixture(scope="module")
def device_name() -> str:
    return f"Image test {uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def booted(
    amd64_image: Path, device_name: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Vm]:
    """A copy of the amd64 image with a tapedeck.toml on its boot partition (as a person would
    put it there), 1 GiB larger than built (the root grows on first boot), running in qemu."""
    work = tmp_path_factory.mktemp("vm")
    disk = work / "disk.img"
    subprocess.run(["cp", "--sparse=always", str(amd64_image), str(disk)], check=True, timeout=120)
    boot, _ = _parts(disk)
    toml = f'[server]\nname = "{device_name}"\n'
    diskimage.fat_write(disk, boot, "tapedeck.toml", toml, work / "tapedeck.toml")
    # The journal on the serial console, a documented debugging switch: systemd's own status
    # lines stop once the serial getty owns the console, the journal's do not.
    entry = diskimage.fat_read(disk, boot, LOADER_ENTRY).rstrip("\n") + f" {JOURNAL_TO_CONSOLE}\n"
    diskimage.fat_write(disk, boot, LOADER_ENTRY, entry, work / "entry.conf")
    with disk.open("r+b") as f:
        f.truncate(disk.stat().st_size + 1024**3)
    vm = _boot(disk, work, "first boot")
    try:
        yield vm
    finally:
        vm.stop()
        print(f"\nserial console of the first boot: {vm.serial_log}")


def _boot(disk: Path, work: Path, what: str) -> Vm:
    vm = Vm(disk, work, free_port())
    start = time.monotonic()
    vm.start()
    try:
        timeout = BOOT_TIMEOUT_KVM if vm.kvm else BOOT_TIMEOUT_TCG
        vm.wait_for("GET /api/v1/health", lambda: vm.try_request("GET", "/api/v1/health"), timeout)
    except BaseException:
        vm.stop()
        raise
    accel = "kvm" if vm.kvm else "tcg"
    _record(f"amd64 {what}, power on to health answering ({accel})", time.monotonic() - start)
    return vm


def _console_line(vm: Vm, text: str) -> str | None:
    return next((line for line in vm.serial().splitlines() if text in line), None)


def test_service_reached_ready(booted: Vm) -> None:
    # Type=notify: systemd logs "Started" only after the service sent READY=1.
    line = booted.wait_for("tapedeck.service started", lambda: _console_line(booted, STARTED), 60.0)
    assert "systemd[1]" in line
    failures = [x for x in booted.serial().splitlines() if "tapedeck" in x and "ailed" in x]
    assert not failures


def test_health_shows_boot_partition_config(booted: Vm, device_name: str) -> None:
    health = booted.request("GET", "/api/v1/health")
    assert health["status"] == "ok"
    assert health["name"] == device_name  # tapedeck.toml went from the FAT partition to /etc


def test_first_boot_grew_the_root(booted: Vm) -> None:
    assert "Finished tapedeck-growroot.service" in booted.serial()
    # The disk is 1 GiB larger than the image; the cache directory sits on the root file system.
    cache = booted.request("GET", "/api/v1/cache")
    assert cache["disk_free_bytes"] > 1024**3


def _playing_position(vm: Vm) -> float | None:
    player: dict[str, Any] = vm.request("GET", "/api/v1/player")
    if player["state"] == "playing" and player["item"] is not None:
        return float(player["position"])
    return None


def test_demo_library_plays_to_the_null_output(booted: Vm) -> None:
    albums = booted.wait_for(
        "the demo library",
        lambda: booted.request("GET", "/api/v1/library/albums")["items"] or None,
        120.0,
    )
    queue = booted.request(
        "POST", "/api/v1/queue", {"album_id": albums[0]["id"], "mode": "replace", "play": True}
    )
    assert queue["entries"]
    first = booted.wait_for("state playing", lambda: _playing_position(booted), 30.0)
    later = booted.wait_for(
        "the position advancing",
        lambda: p if (p := _playing_position(booted)) is not None and p > first else None,
        30.0,
    )
    assert later > first
    # No sound card in the VM: "auto" fell back to mpv's null output (the service's log line).
    assert _console_line(booted, NULL_OUTPUT) is not None


def _press_power_button(vm: Vm) -> str:
    """The ACPI power button, pressed once logind listens; the console up to qemu's exit."""
    vm.wait_for(
        "logind watching the power button", lambda: _console_line(vm, WATCHING_BUTTON), 300.0
    )
    vm.power_button()
    start = time.monotonic()
    vm.wait_for(
        "logind taking the press", lambda: _console_line(vm, "Power key pressed"), BUTTON_TIMEOUT
    )
    assert vm.wait_exit(SHUTDOWN_TIMEOUT) == 0
    _record("amd64 power button to power-off", time.monotonic() - start)
    return vm.serial()


def _assert_clean_power_off(console: str) -> None:
    lines = console.splitlines()
    found = [
        next((i for i, line in enumerate(lines) if text in line), -1) for text in POWER_OFF_LINES
    ]
    missing = [text for text, i in zip(POWER_OFF_LINES, found, strict=True) if i < 0]
    assert not missing, f"not on the console: {missing}"
    assert found == sorted(found), list(zip(POWER_OFF_LINES, found, strict=True))
    # Killed after TimeoutStopSec, or failing, would say so here.
    assert not [x for x in lines if "tapedeck.service" in x and ("Killing" in x or "Failed" in x)]


@pytest.fixture(scope="module")
def powered_off(booted: Vm) -> str:
    """The first boot ended by its power button; the whole console of that boot."""
    return _press_power_button(booted)


def test_power_button_stops_tapedeck_cleanly_and_powers_off(powered_off: str) -> None:
    _assert_clean_power_off(powered_off)


@pytest.fixture(scope="module")
def overlay_booted(booted: Vm, powered_off: str) -> Iterator[Vm]:
    """The same disk after a clean power-off (the ACPI button), booted again with a read-only
    root: `overlayroot=tmpfs` added to the kernel command line on the boot partition."""
    disk, work = booted.disk, booted.workdir / "overlay"
    work.mkdir()
    boot, _ = _parts(disk)
    entry = diskimage.fat_read(disk, boot, LOADER_ENTRY).rstrip("\n") + " overlayroot=tmpfs\n"
    diskimage.fat_write(disk, boot, LOADER_ENTRY, entry, work / "entry.conf")
    vm = _boot(disk, work, "read-only root boot")
    try:
        yield vm
    finally:
        vm.stop()
        print(f"\nserial console of the read-only root boot: {vm.serial_log}")


def test_read_only_root_keeps_tapedeck_state(overlay_booted: Vm, device_name: str) -> None:
    vm = overlay_booted
    assert vm.request("GET", "/api/v1/health")["name"] == device_name
    # The queue made in the first boot was saved at power-off and is read from the card.
    assert vm.request("GET", "/api/v1/queue")["entries"]
    vm.wait_for("tapedeck.service started", lambda: _console_line(vm, STARTED), 60.0)
    assert _console_line(vm, "Finished tapedeck-persist.service") is not None
    assert (
        _console_line(vm, "overlayroot: Unable") is None
        and _console_line(vm, "grep: not found") is None
    )


def test_read_only_root_powers_off_cleanly_too(overlay_booted: Vm) -> None:
    # Every press, every boot: the second boot's button works as the first one's did.
    _assert_clean_power_off(_press_power_button(overlay_booted))


# --- The Raspberry Pi card ----------------------------------------------------------------------


def test_arm64_partitions(arm64_image: Path) -> None:
    boot, root = _parts(arm64_image)
    assert boot.type_id == FAT32_LBA and boot.bootable
    assert diskimage.fat_label(arm64_image, boot) == "TAPEBOOT"
    assert root.type_id == LINUX and root.start >= boot.start + boot.size
    assert diskimage.ext4_label(arm64_image, root) == "TAPEROOT"
    assert root.start + root.size <= arm64_image.stat().st_size


def test_arm64_boot_files(arm64_image: Path) -> None:
    boot, _ = _parts(arm64_image)
    files = diskimage.fat_files(arm64_image, boot)
    # Pi 4 (start4/fixup4) and Pi 3 (bootcode.bin, start/fixup) firmware, Debian's kernel + initrd.
    for name in ("bootcode.bin", "start4.elf", "fixup4.dat", "start.elf", "fixup.dat"):
        assert name in files
    assert {"config.txt", "cmdline.txt"} <= files
    assert "bcm2711-rpi-4-b.dtb" in files and "bcm2837-rpi-3-b.dtb" in files
    for name in ("README.txt", "tapedeck.toml.example", "wpa_supplicant.conf.example"):
        assert name in files
    assert "tapedeck.toml" not in files  # the embedded defaults until a person adds one
    config = diskimage.fat_read(arm64_image, boot, "config.txt").splitlines()
    assert "arm_64bit=1" in config
    # The firmware loads the kernel and initrd that raspi-firmware's hook named and copied.
    kernel = next(line.split("=", 1)[1] for line in config if line.startswith("kernel="))
    initrd = next(line.split()[1] for line in config if line.startswith("initramfs "))
    assert kernel.startswith("vmlinuz-") and kernel.endswith("-arm64") and kernel in files
    assert initrd.startswith("initrd.img-") and initrd in files
    cmdline = diskimage.fat_read(arm64_image, boot, "cmdline.txt")
    assert len(cmdline.strip().splitlines()) == 1 and "root=LABEL=TAPEROOT" in cmdline


def test_arm64_root_has_tapedeck_for_arm64(arm64_image: Path) -> None:
    _, root = _parts(arm64_image)
    for path in (
        "/opt/tapedeck/venv/bin/tapedeck",
        "/usr/lib/systemd/system/tapedeck.service",
        "/etc/systemd/system/multi-user.target.wants/tapedeck.service",
        "/etc/systemd/system/paths.target.wants/tapedeck-poweroff.path",  # the "shutdown" button
        "/etc/systemd/logind.conf.d/10-tapedeck-image.conf",
        "/etc/systemd/journald.conf.d/10-tapedeck-image.conf",
    ):
        diskimage.ext4_stat(arm64_image, root, path)
    python = diskimage.ext4_read(arm64_image, root, "/usr/bin/python3.11")
    assert python[:4] == b"\x7fELF" and python[18:20] == b"\xb7\x00"  # e_machine EM_AARCH64
    fstab = diskimage.ext4_read(arm64_image, root, "/etc/fstab").decode()
    assert "swap" not in fstab.replace("No swap", "")
