"""The house rebuilt, measured against the house before it (issue 12, acceptance 6).

The first floor's last commit (`BEFORE`) is unpacked from git history into a temporary folder and
run beside this tree, with the same interpreter, the same config and the same probes, interleaved:
start -> READY=1, resident memory idle and playing, the throughput of one download from the same
fake Jellyfin, and the pre-cache simulator's hit rates on the shared sample traces.
Each figure is printed side by side; the bench asserts the rebuilt house is no worse beyond the
noise of a shared machine (hit rates: see HIT_RATE_SLACK; throughput and the download's CPU on the
service's main thread, on each tree's best run: see THROUGHPUT_MARGIN). READY is printed only: it
is a fraction of a second that one busy moment doubles.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests.fakes.jellyfin import FakeJellyfin
from tests.integration.jellyfin_thread import FakeJellyfinThread
from tests.integration.notify import NotifyListener, start_service
from tests.integration.service import ServiceProcess

REPO = Path(__file__).resolve().parents[2]
TRACES = REPO.parent / "shared" / "traces"
BEFORE = "2fd39708087978a24fd4b99f9a751805573ce9d1"  # the first floor's last commit
MIB = 1024 * 1024
RUNS = 5
TRACK_BYTES = 256 * MIB  # large enough that throughput, not the fixed cost of a start, is measured
# The simulator now runs the service's own executor and gate (the floor, the storage limit and
# the concurrency the device really obeys; commit fa5e1c9), so it no longer credits the planner
# with downloads the device would not have made: on the kitchen sample that costs 1-2 starts in 500.
# Issue 18's steady-link lookahead (cache/planner/smart.py) then traded one more start there for
# less waste (0.23 -> 0.21 of the bytes downloaded), and the settled unseen device (an hour on
# Wi-Fi before its first queue takes its lookahead, not two hours) one more (0.21 -> 0.18): 4
# starts in 500 in all, 0.968 -> 0.960. The slack is 5 starts, so the figure is not held on the
# rounding of a float at its edge.
HIT_RATE_SLACK = 0.010
# A median of interleaved runs on a loaded two-core machine still moves a lot: the download's wall
# time ends with an fsync of 256 MiB, which the other writers on the disk stretch (seen here, load
# 1.5: 0.80x the throughput with equal main-thread CPU under perf; under load 2x either way). So
# throughput is held only against a gross loss, and the CPU of the service's main thread (less
# moved by the disk) against the one found: every socket read mmapped, 1.8x the CPU, 0.7x the speed.
# A download here runs in one of two modes (seen 600-700 MiB/s at 0.25 s of CPU, or 210-250 MiB/s
# at 0.9-1.0 s, in the later runs of a series, for both trees alike), so one tree's median or its
# best run moves with how the modes fell: a CI run's medians 0.44x with the best runs equal, and
# another's best runs 0.73x / 1.9x (one fast run for the tree before, none now) with the medians
# equal (187 / 188 MiB/s, 0.85 / 0.90 s). A figure counts as worse only when both its best run and
# its median are beyond the margin: the regression found was in every run, and moves both.
THROUGHPUT_MARGIN = 0.6
CPU_MARGIN = 1.5

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="the house before comes from git"),
]


def _has_commit(commit: str) -> bool:
    found = subprocess.run(
        ["git", "-C", str(REPO), "cat-file", "-e", f"{commit}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    return found.returncode == 0


@pytest.fixture(scope="module")
def before(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not _has_commit(BEFORE):
        pytest.skip(f"commit {BEFORE[:7]} is not in this clone's history (a shallow clone?)")
    tree = tmp_path_factory.mktemp("house-before") / "repo"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", BEFORE], capture_output=True, check=True, timeout=120
    )
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True, timeout=120)
    return tree


class TreeService(ServiceProcess):
    """The service of one tree (this one or the one before), configured alike for both."""

    def __init__(self, root: Path, tree: Path, jellyfin_url: str) -> None:
        jellyfin = {"url": jellyfin_url, "username": "bench", "password": "bench"}
        super().__init__(
            root, extra={"jellyfin": jellyfin, "cache": {"wifi_only": False, "policy": "seed"}}
        )
        self.tree = tree

    def config(self) -> dict[str, dict[str, Any]]:
        tables = super().config()
        if self.tree != REPO:  # the tables the first floor did not know yet
            tables.pop("mpd", None)
        return tables

    def launch(self, notify: Path) -> float:
        """Start it; seconds from the process start to READY=1."""
        self.write_config()
        listener = NotifyListener(notify)
        try:
            started = time.perf_counter()
            self.process = start_service(self.config_path, notify, tree=self.tree)
            ready = listener.wait_for("READY=1", timeout=60.0)
        finally:
            listener.close()
        self.wait_healthy(60.0)
        return ready - started


@pytest.fixture(scope="module")
def jellyfin() -> Iterator[tuple[str, str, str]]:
    fake = FakeJellyfin()
    fake.add_user("bench", "bench")
    _album, tracks = fake.add_album("Big One", [MIB, TRACK_BYTES])
    server = FakeJellyfinThread(fake)
    url = server.start()
    try:
        yield url, tracks[0].id, tracks[1].id
    finally:
        server.stop()


def _rss(pid: int) -> int:
    return int(psutil.Process(pid).memory_info().rss)


def _memory(deck: TreeService) -> tuple[int, int]:
    """(idle, playing) resident bytes, once the library is in and after a few seconds of play."""
    assert deck.process is not None
    deck.wait_until(lambda: deck.api("GET", "/library/albums")["total"] > 0, 60.0)
    time.sleep(2.0)
    idle = _rss(deck.process.pid)
    albums = deck.api("GET", "/library/albums?limit=100")["items"]
    local = next(a for a in albums if a["title"] != "Big One")
    deck.api("POST", "/queue", {"album_id": local["id"], "mode": "replace", "play": True})
    deck.wait_until(lambda: deck.api("GET", "/player")["state"] == "playing", 30.0)
    time.sleep(3.0)
    return idle, _rss(deck.process.pid)


def _main_thread_cpu(pid: int) -> float:
    """CPU seconds of the process's main thread: the event loop, where a download's chunks land."""
    (main,) = [t for t in psutil.Process(pid).threads() if t.id == pid]
    return float(main.user_time + main.system_time)


def _download_seconds(deck: TreeService, item_id: str) -> float:
    started = time.perf_counter()
    row = deck.api("POST", "/downloads", {"item_id": item_id})

    def finished() -> dict[str, Any] | None:
        now = deck.api("GET", f"/downloads/{row['id']}")
        return now if now["status"] in ("completed", "failed") else None

    done = deck.wait_until(finished, 300.0, 0.05)
    assert done["status"] == "completed", done
    return time.perf_counter() - started


def _service_figures(tree: Path, root: Path, jellyfin: tuple[str, str, str]) -> dict[str, float]:
    deck = TreeService(root, tree, jellyfin[0])
    try:
        ready = deck.launch(root.parent / f"{root.name}.sock")
        idle, playing = _memory(deck)
        deck.api("POST", "/player/pause")
        # A first small download loads what a download needs: the house now imports it on first
        # use rather than at start (and a test run compiles every module it imports afresh).
        _download_seconds(deck, jellyfin[1])
        assert deck.process is not None
        cpu = _main_thread_cpu(deck.process.pid)
        seconds = _download_seconds(deck, jellyfin[2])
        cpu = _main_thread_cpu(deck.process.pid) - cpu
    finally:
        deck.stop()
    return {
        "ready": ready,
        "idle": idle / MIB,
        "playing": playing / MIB,
        "mib_s": TRACK_BYTES / MIB / seconds,
        "cpu": cpu,
    }


def _simulate(tree: Path, trace: Path, policy: str) -> dict[str, Any]:
    run = "import sys; from cache.simulate import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", run, str(trace), "--policy", policy],
        cwd=tree, capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_house_is_no_worse_than_the_one_before(
    before: Path, jellyfin: tuple[str, str, str], tmp_path: Path
) -> None:
    trees = {"before": before, "now": REPO}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    for n in range(RUNS):  # interleaved, so a busy moment of the machine hits both alike
        for name, tree in trees.items():
            runs[name].append(_service_figures(tree, tmp_path / f"{name}-{n}", jellyfin))
    med = {
        name: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for name, rs in runs.items()
    }
    print(f"\nthe house before ({BEFORE[:7]}) and now, medians of {RUNS} interleaved runs")
    print(f"{'figure':<34}{'before':>12}{'now':>12}")
    print(
        f"{'start -> READY=1 (s)':<34}{med['before']['ready']:>12.3f}{med['now']['ready']:>12.3f}"
    )
    print(f"{'RSS idle (MiB)':<34}{med['before']['idle']:>12.1f}{med['now']['idle']:>12.1f}")
    print(
        f"{'RSS playing (MiB)':<34}{med['before']['playing']:>12.1f}{med['now']['playing']:>12.1f}"
    )
    print(f"{'download throughput (MiB/s)':<34}{med['before']['mib_s']:>12.1f}"
          f"{med['now']['mib_s']:>12.1f}   (curl beside it: test_bench_download.py)")  # fmt: skip
    print(f"{'its main-thread CPU (s)':<34}{med['before']['cpu']:>12.2f}{med['now']['cpu']:>12.2f}")
    best = {name: _best_download(rs) for name, rs in runs.items()}
    print(f"{'best download (MiB/s, CPU s)':<34}"
          f"{_pair(best['before']):>12}{_pair(best['now']):>12}")  # fmt: skip
    worse = _hit_rates(before)
    for figure, better, held in (("ready", min, (med,)), ("mib_s", max, (best, med)),
                                 ("cpu", min, (best, med))):  # fmt: skip
        ratios = [f["now"][figure] / f["before"][figure] for f in held]
        worse_in_all = all(better(f["before"][figure], f["now"][figure]) != f["now"][figure]
                           for f in held)  # fmt: skip
        shown = " / ".join(f"{r:.2f}x" for r in ratios)
        print(f"  {figure}: {'WORSE' if worse_in_all else 'no worse'} ({shown} before)")
    assert med["now"]["idle"] <= med["before"]["idle"] + 8.0
    assert med["now"]["playing"] <= med["before"]["playing"] + 8.0
    assert _throughput_held(best) or _throughput_held(med), "download throughput"
    assert _cpu_held(best) or _cpu_held(med), "the download's main-thread CPU"
    assert not worse, f"hit rates worse than before beyond {HIT_RATE_SLACK}: {worse}"


def _best_download(runs: list[dict[str, float]]) -> dict[str, float]:
    """A tree's best download: its highest throughput and its lowest main-thread CPU."""
    return {"mib_s": max(r["mib_s"] for r in runs), "cpu": min(r["cpu"] for r in runs)}


def _throughput_held(figures: dict[str, dict[str, float]]) -> bool:
    return figures["now"]["mib_s"] >= THROUGHPUT_MARGIN * figures["before"]["mib_s"]


def _cpu_held(figures: dict[str, dict[str, float]]) -> bool:
    return figures["now"]["cpu"] <= CPU_MARGIN * figures["before"]["cpu"] + 0.05


def _pair(best: dict[str, float]) -> str:
    return f"{best['mib_s']:.0f}, {best['cpu']:.2f}"


def _hit_rates(before: Path) -> list[str]:
    """Print every sample trace's hit rate before and now; name those that got worse."""
    worse = []
    for trace in sorted(TRACES.glob("*.jsonl")):
        for policy in ("seed", "smart"):
            old = _simulate(before, trace, policy)
            new = _simulate(REPO, trace, policy)
            label = f"hit rate {trace.stem} {policy}"
            print(f"{label:<34}{old['hit_rate']:>12.3f}{new['hit_rate']:>12.3f}"
                  f"{'unplayable':>12} {old['unplayable']} -> {new['unplayable']}")  # fmt: skip
            if (
                new["hit_rate"] < old["hit_rate"] - HIT_RATE_SLACK
                or new["unplayable"] > old["unplayable"]
            ):
                worse.append(label)
    return worse
