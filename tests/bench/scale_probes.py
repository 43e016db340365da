"""What the scale benchmark reads off processes, and Debian's mpd as the reference beside tapedeck."""

from __future__ import annotations

import shutil
import socket
import statistics
import subprocess
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.integration.service import free_port
from tests.polling import wait_port

MIB = 1024 * 1024
MPD_BIN = shutil.which("mpd") or "/usr/bin/mpd"


@dataclass(frozen=True, slots=True)
class Memory:
    rss: int
    pss: int

    def __str__(self) -> str:
        return f"{self.rss / MIB:.0f} / {self.pss / MIB:.0f} MiB"


def memory(pid: int) -> Memory:
    """RSS and PSS of a process (PSS: shared pages divided among the processes sharing them)."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        fields[name.rstrip(":")] = int(value) * 1024
    return Memory(fields["Rss"], fields["Pss"])


def write_bytes(pid: int | str = "self") -> int:
    """Bytes this process caused to be written to storage so far (/proc/PID/io)."""
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("write_bytes:"):
            return int(line.split()[1])
    return 0


def median_ms(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:.2f} ms"


def p99(times: list[float]) -> float:
    return (
        statistics.quantiles(times, n=100, method="inclusive")[98] if len(times) >= 2 else times[0]
    )


@dataclass(frozen=True, slots=True)
class Aim:
    """One of issue 14's aims: `value` against `limit` (at most, or at least when `least`)."""

    name: str
    value: float
    limit: float
    unit: str
    least: bool = False

    @property
    def met(self) -> bool:
        return self.value >= self.limit if self.least else self.value <= self.limit

    def __str__(self) -> str:
        sign = ">=" if self.least else "<="
        miss = _figure(abs(self.value - self.limit))
        verdict = "met" if self.met else f"MISSED by {miss} {self.unit}"
        return (
            f"{self.name}: {_figure(self.value)} {self.unit}"
            f" (aim {sign} {_figure(self.limit)}): {verdict}"
        )


def _figure(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


@dataclass
class Table:
    """Rows of (measure, tapedeck, reference), printed side by side, and the aims they meet."""

    rows: list[tuple[str, str, str]] = field(default_factory=list)
    aims: list[Aim] = field(default_factory=list)

    def add(self, measure: str, tapedeck: str, reference: str = "—") -> None:
        self.rows.append((measure, tapedeck, reference))
        print(f"  {measure}: {tapedeck} | {reference}", flush=True)

    def aim(self, aim: Aim) -> None:
        self.aims.append(aim)
        print(f"  aim {aim}", flush=True)

    def print(self) -> None:
        width = max(len(r[0]) for r in self.rows)
        mid = max(len(r[1]) for r in self.rows)
        print()
        print(f"{'measure':<{width}}  {'tapedeck':<{mid}}  reference")
        for measure, ours, theirs in self.rows:
            print(f"{measure:<{width}}  {ours:<{mid}}  {theirs}")
        print()
        for aim in self.aims:
            print(f"aim {aim}")

    def missed(self, names: Collection[str]) -> list[str]:
        """Those of the aims named that were missed (what the bench asserts)."""
        return [str(a) for a in self.aims if a.name in names and not a.met]


class MpdReference:
    """Debian's mpd on `music`, with its own config, database and a null output, in `root`."""

    def __init__(self, root: Path, music: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        (root / "playlists").mkdir(exist_ok=True)
        self.root, self.port = root, free_port()
        self.conf = root / "mpd.conf"
        self.conf.write_text(self._config(music), encoding="utf-8")
        self.process: subprocess.Popen[bytes] | None = None

    def _config(self, music: Path) -> str:
        root = self.root
        return (
            f'music_directory "{music}"\ndb_file "{root / "db"}"\nstate_file "{root / "state"}"\n'
            f'playlist_directory "{root / "playlists"}"\nlog_file "{root / "log"}"\n'
            f'bind_to_address "127.0.0.1"\nport "{self.port}"\nauto_update "no"\n'
            'audio_output {\n  type "null"\n  name "null"\n  mixer_type "software"\n}\n'
        )

    def start(self) -> float:
        """Start mpd; seconds until its port answers. Its database is empty at first (see
        _empty_database), so `update(first=True)` is its first scan."""
        if not (self.root / "db").exists():
            self._empty_database()
        return self._launch(self.conf)

    def _empty_database(self) -> None:
        """An empty database file, written by an mpd run on an empty folder. Without a database
        file mpd builds one as it starts, auto_update "no" or not: that build ran beside
        tapedeck's first scan (on the same two cores) and left update(first=True) a rescan."""
        empty = self.root / "empty"
        empty.mkdir(exist_ok=True)
        conf = self.root / "empty.conf"
        conf.write_text(self._config(empty), encoding="utf-8")
        self._launch(conf)
        deadline = time.monotonic() + 30
        while not (self.root / "db").exists() or any(
            line.startswith("updating_db") for line in self.command("status")
        ):
            if time.monotonic() > deadline:
                raise TimeoutError("mpd did not write its empty database")
            time.sleep(0.005)
        self.stop()

    def _launch(self, conf: Path) -> float:
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [MPD_BIN, "--no-daemon", str(conf)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        wait_port(self.port, step=0.005)
        return time.perf_counter() - started

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def command(self, line: str) -> list[str]:
        """One MPD command; the answer's lines up to OK."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as sock:
            reader = sock.makefile("rb")
            reader.readline()  # OK MPD <version>
            sock.sendall(line.encode() + b"\n")
            lines: list[str] = []
            while (answer := reader.readline().decode().rstrip("\n")) and answer != "OK":
                if answer.startswith("ACK"):
                    raise RuntimeError(answer)
                lines.append(answer)
            return lines

    def update(self, *, first: bool = False) -> tuple[float, int]:
        """`update` until done: (seconds, bytes mpd wrote meanwhile)."""
        before, started = write_bytes(self.pid), time.perf_counter()
        self.command("update")
        deadline = time.monotonic() + 120
        while any(line.startswith("updating_db") for line in self.command("status")):
            if time.monotonic() > deadline:
                raise TimeoutError("mpd update did not finish")
            time.sleep(0.005)
        seconds = time.perf_counter() - started
        # mpd saves its database just after the update ends: give it a moment to show. When its
        # writes do not show in /proc/PID/io, the database file's size stands in for them.
        db, written, settle = self.root / "db", 0, time.monotonic() + 2.0
        while time.monotonic() < settle:
            written = write_bytes(self.pid) - before
            time.sleep(0.1)
        if first and not written and db.exists():
            written = db.stat().st_size
        return seconds, written

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@contextmanager
def running(mpd: MpdReference) -> Iterator[MpdReference]:
    try:
        yield mpd
    finally:
        mpd.stop()


def timed(fn: Callable[[], object], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times
