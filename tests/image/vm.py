"""Booting a built amd64 image in qemu: UEFI (OVMF), virtio disk and network, the serial console
to a file, the guest's port 8080 forwarded to 127.0.0.1 only. KVM when /dev/kvm is usable."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
OVMF_DIR = Path("/usr/share/OVMF")
GUEST_PORT = 8080
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # systemd colours its status lines


class VmError(RuntimeError):
    """The virtual machine did not start, or did not reach the expected state in time."""


def kvm_usable() -> bool:
    """True when /dev/kvm can be opened read-write AND the CPU has hardware virtualisation.

    The second half matters: a nested sandbox can offer a /dev/kvm backed by a paravirtual
    hypervisor (kvm-pvm) that only runs specially built guest kernels; firmware and Debian's
    kernel fail there with KVM internal errors, so software emulation is the usable choice."""
    try:
        fd = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        return False
    os.close(fd)
    flags = re.search(r"^flags\s*:(.*)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
    return flags is not None and bool({"vmx", "svm"} & set(flags.group(1).split()))


def ovmf_files() -> tuple[Path, Path]:
    """OVMF's code and variable-store templates (Debian's `ovmf` package)."""
    for code, vars_ in (("OVMF_CODE_4M.fd", "OVMF_VARS_4M.fd"), ("OVMF_CODE.fd", "OVMF_VARS.fd")):
        if (OVMF_DIR / code).exists() and (OVMF_DIR / vars_).exists():
            return OVMF_DIR / code, OVMF_DIR / vars_
    raise VmError(f"no OVMF firmware in {OVMF_DIR} (apt-get install ovmf)")


class Vm:
    """One qemu process booting `disk` (which it writes to: pass a copy)."""

    def __init__(self, disk: Path, workdir: Path, host_port: int, memory_mib: int = 1024) -> None:
        self.disk = disk
        self.workdir = workdir
        self.host_port = host_port
        self.memory_mib = memory_mib
        self.serial_log = workdir / "serial.log"
        self.monitor = workdir / "monitor.sock"
        self.kvm = kvm_usable()
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.host_port}"

    def argv(self) -> list[str]:
        code, vars_template = ovmf_files()
        vars_copy = self.workdir / "OVMF_VARS.fd"
        shutil.copyfile(vars_template, vars_copy)
        accel = ["-accel", "kvm", "-cpu", "host"]
        if not self.kvm:
            accel = ["-accel", "tcg,thread=multi", "-cpu", "max"]
        # restrict=on: the guest reaches nothing outside; only the forwarded port reaches it.
        net = f"user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:{self.host_port}-:{GUEST_PORT}"
        return [
            "qemu-system-x86_64", "-machine", "q35", *accel, "-smp", "2",
            "-m", str(self.memory_mib), "-nodefaults", "-display", "none",
            "-drive", f"if=pflash,format=raw,readonly=on,file={code}",
            "-drive", f"if=pflash,format=raw,file={vars_copy}",
            "-drive", f"file={self.disk},format=raw,if=virtio",
            "-netdev", net, "-device", "virtio-net-pci,netdev=net0",
            "-serial", f"file:{self.serial_log}",
            "-monitor", f"unix:{self.monitor},server=on,wait=off",
        ]  # fmt: skip

    def start(self) -> Vm:
        log = (self.workdir / "qemu.log").open("wb")
        with log:
            self._proc = subprocess.Popen(self.argv(), stdout=log, stderr=subprocess.STDOUT)
        return self

    def serial(self) -> str:
        """The serial console so far (kernel, systemd status lines)."""
        if not self.serial_log.exists():
            return ""
        text = self.serial_log.read_bytes().decode("utf-8", "replace")
        return ANSI.sub("", text)

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def wait_for(self, what: str, probe: Callable[[], T | None], timeout: float) -> T:
        """Polls `probe` (about twice a second) until it returns a value; fails with the console."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise VmError(f"qemu exited while waiting for {what}:\n{self._tail()}")
            found = probe()
            if found is not None:
                return found
            time.sleep(0.5)
        raise VmError(f"timed out after {timeout:.0f}s waiting for {what}:\n{self._tail()}")

    def _tail(self, lines: int = 60) -> str:
        qemu_log = self.workdir / "qemu.log"
        qemu = qemu_log.read_text(errors="replace") if qemu_log.exists() else ""
        return qemu + "\n".join(self.serial().splitlines()[-lines:])

    def request(self, method: str, path: str, body: Any = None, timeout: float = 10.0) -> Any:
        """A JSON request to the guest through the forwarded port; raises on non-2xx."""
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        req = urllib.request.Request(self.base_url + path, data, headers, method=method)
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read() or b"null")

    def try_request(self, method: str, path: str) -> Any | None:
        """Like `request`, but None while the guest does not answer yet."""
        with contextlib.suppress(OSError, urllib.error.URLError, json.JSONDecodeError):
            return self.request(method, path, timeout=3.0)
        return None

    def monitor_command(self, command: str, timeout: float = 60.0) -> str:
        """Runs one command on qemu's human monitor and returns what it printed.

        Waits for the `(qemu)` prompt before sending and again after: a command sent before the
        monitor was ready, or a socket closed before qemu read the line, could be dropped
        (under load that is a lost power-button press, not a guest that ignores it)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(str(self.monitor))
            _read_until_prompt(sock)
            sock.sendall(command.encode() + b"\n")
            return _read_until_prompt(sock)

    def power_button(self) -> None:
        """Presses the ACPI power button (qemu's `system_powerdown`); the guest acts on its own."""
        self.monitor_command("system_powerdown")

    def wait_exit(self, timeout: float) -> int:
        """Waits for qemu to end (the guest powered off) and returns its exit status."""
        assert self._proc is not None
        try:
            return self._proc.wait(timeout)
        except subprocess.TimeoutExpired as err:
            raise VmError(f"no power-off within {timeout:.0f}s:\n{self._tail()}") from err

    def stop(self, timeout: float = 20.0) -> None:
        """Ends qemu (SIGTERM, then SIGKILL); the disk is a throwaway copy."""
        if self._proc is None or self._proc.poll() is not None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout)


MONITOR_PROMPT = b"(qemu) "


def _read_until_prompt(sock: socket.socket, limit: int = 1 << 20) -> str:
    """Reads the monitor's output up to (without) its next prompt; bounded in size and time."""
    data = b""
    while not data.endswith(MONITOR_PROMPT):
        chunk = sock.recv(4096)
        if not chunk or len(data) > limit:
            raise VmError(f"qemu's monitor closed or rambled: {data[-200:]!r}")
        data += chunk
    return ANSI.sub("", data[: -len(MONITOR_PROMPT)].decode("utf-8", "replace"))
