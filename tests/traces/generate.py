"""Writes the listening traces of tests/traces/ (shared/traces.md format), deterministically.

    python tests/traces/generate.py [OUT_DIR]

Each style is a small story of how someone listens; the same seed always gives the same bytes.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DAY = 86400.0
BANDWIDTH = {"ethernet": 10_000_000, "wifi": 3_000_000, "cellular": 1_000_000}


@dataclass
class Track:
    id: str
    album: str
    index: int
    size: int
    duration: float


@dataclass
class Story:
    """A trace under construction: timed events are merged in time order when written."""

    rng: random.Random
    storage_limit: int
    albums: list[list[Track]] = field(default_factory=list)
    events: list[tuple[float, int, dict[str, Any]]] = field(default_factory=list)
    seq: int = 0

    def add(self, t: float, body: dict[str, Any]) -> None:
        self.seq += 1
        self.events.append((round(t, 3), self.seq, body))

    def net(self, t: float, kind: str) -> None:
        body: dict[str, Any] = {"type": "network", "kind": kind}
        if kind == "wifi":
            body["ssid"] = "home"
        self.add(t, body)

    def tracks(self) -> list[Track]:
        return [t for album in self.albums for t in album]

    def listen(self, t: float, queue: list[Track], start: int, count: int, skip: float) -> float:
        """Set the queue, play `count` items from `start` (skipping with probability `skip`), stop."""
        self.add(t, {"type": "queue", "items": [x.id for x in queue], "index": start})
        t += 2 + self.rng.random() * 10
        for item in queue[start : start + count]:
            self.add(t, {"type": "play", "id": item.id})
            skipped = self.rng.random() < skip
            t += 3 + self.rng.random() * 25 if skipped else item.duration
        self.add(t, {"type": "stop"})
        return t

    def lines(self, end: float) -> list[str]:
        world = {
            "type": "world",
            "storage_limit": self.storage_limit,
            "disk_total": 16_000_000_000,
            "bandwidth": BANDWIDTH,
        }
        out = [_track_line(x) for x in self.tracks()] + [json.dumps(world)]
        for t, _, body in sorted(self.events, key=lambda e: (e[0], e[1])):
            out.append(json.dumps({"t": t, **body}))
        last = max((t for t, _, _ in self.events), default=0.0)
        out.append(json.dumps({"t": round(max(end, last + 60), 3), "type": "end"}))
        return out


def _track_line(x: Track) -> str:
    body = {"type": "track", "id": x.id, "album_id": x.album, "disc": 1, "index": x.index}
    return json.dumps({**body, "size": x.size, "duration": x.duration})


def _catalogue(story: Story, n_albums: int) -> None:
    for a in range(n_albums):
        bitrate = story.rng.choice((40_000, 40_000, 110_000))  # bytes/s: mp3 320k or flac
        album = []
        for n in range(1, story.rng.randint(6, 12) + 1):
            duration = round(120 + story.rng.random() * 300, 1)
            album.append(
                Track(f"b{a:03d}t{n:02d}", f"b{a:03d}", n, int(duration * bitrate), duration)
            )
        story.albums.append(album)


def _steady(story: Story, kind: str, days: int, blips: int) -> None:
    """Always on `kind`, with a few short drop-outs a day."""
    story.net(0.0, kind)
    for d in range(days):
        for _ in range(blips):
            t = d * DAY + story.rng.random() * DAY
            story.net(t, "offline")
            story.net(t + 30 + story.rng.random() * 400, kind)


def album_wifi(story: Story) -> float:
    _steady(story, "wifi", 3, 2)
    for d in range(3):
        for start in (8 * 3600, 19 * 3600):
            picked = story.rng.sample(story.albums, 2)
            story.listen(d * DAY + start, picked[0] + picked[1], 0, len(picked[0]) + 3, 0.03)
    return 3 * DAY


def shuffle_heavy(story: Story) -> float:
    _steady(story, "wifi", 3, 3)
    pool = story.tracks()
    for d in range(3):
        for start in (9 * 3600, 13 * 3600, 20 * 3600):
            queue = story.rng.sample(pool, 60)
            story.listen(d * DAY + start, queue, 0, story.rng.randint(10, 25), 0.2)
    return 3 * DAY


def skipper(story: Story) -> float:
    _steady(story, "ethernet", 2, 1)
    pool = story.tracks()
    for d in range(2):
        for start in (10 * 3600, 18 * 3600):
            queue = story.rng.sample(pool, 50)
            story.listen(d * DAY + start, queue, 0, 40, 0.6)
    return 2 * DAY


def commuter(story: Story) -> float:
    """Wi-Fi at home for a few minutes, then a ride on cellular through tunnels, listening."""
    story.net(0.0, "offline")
    for d in range(4):
        for leave in (7.5 * 3600, 17.5 * 3600):
            t0 = d * DAY + leave
            story.net(t0, "wifi")
            picked = story.rng.sample(story.albums, 2)
            end = story.listen(t0 + 300, picked[0] + picked[1], 0, len(picked[0]) + 2, 0.05)
            _ride(story, t0 + 400, end)
            story.net(end + 60, "offline")
    return 4 * DAY


def _ride(story: Story, start: float, end: float) -> None:
    t = start
    story.net(t, "cellular")
    while True:
        t += 300 + story.rng.random() * 600
        if t >= end:
            return
        story.net(t, "offline")
        t += 30 + story.rng.random() * 180
        story.net(min(t, end), "cellular")


def small_storage(story: Story) -> float:
    story.storage_limit = 150_000_000
    _steady(story, "wifi", 2, 2)
    for d in range(2):
        for start in (8 * 3600, 15 * 3600, 21 * 3600):
            album = story.rng.choice(story.albums)
            story.listen(d * DAY + start, album, 0, len(album), 0.05)
    return 2 * DAY


def queue_churn(story: Story) -> float:
    """The queue is replaced every few tracks, and often an older queue comes back."""
    _steady(story, "wifi", 2, 2)
    queues: list[tuple[list[Track], int]] = []
    t = 9 * 3600.0
    for _ in range(40):
        if queues and story.rng.random() < 0.4:
            n = story.rng.randrange(len(queues))
            queue, pos = queues.pop(n)
        else:
            queue, pos = story.rng.choice(story.albums) + story.rng.choice(story.albums), 0
        count = story.rng.randint(2, 5)
        t = story.listen(t, queue, pos, count, 0.1) + 60 + story.rng.random() * 1800
        if pos + count < len(queue):
            queues.append((queue, pos + count))
    return t + 3600


def pins_offline(story: Story) -> float:
    """Pins a few albums at home, then listens to them (and a queue) with no network at all."""
    story.net(0.0, "wifi")
    for d in range(2):
        picked = story.rng.sample(story.albums, 2)
        for album in picked:
            story.add(
                d * DAY + 3600 + story.rng.random(), {"type": "pin", "album_id": album[0].album}
            )
        story.net(d * DAY + 5 * 3600, "offline")
        t = story.listen(d * DAY + 5 * 3600 + 60, picked[0] + picked[1], 0, 14, 0.1)
        story.net(t + 600, "wifi")
    return 2 * DAY


def year_long(story: Story) -> float:
    """A year of a kitchen: albums and shuffles on Wi-Fi every day (the simulator's clock test:
    not written to tests/traces/, the bench builds it)."""
    days = 365
    _steady(story, "wifi", days, 1)
    pool = story.tracks()
    for d in range(days):
        album = story.rng.choice(story.albums)
        story.listen(d * DAY + 8 * 3600, album, 0, len(album), 0.05)
        queue = story.rng.sample(pool, 40)
        story.listen(d * DAY + 19 * 3600, queue, 0, story.rng.randint(8, 20), 0.2)
    return days * DAY


STYLES: dict[str, Callable[[Story], float]] = {
    "album-wifi": album_wifi,
    "shuffle-heavy": shuffle_heavy,
    "skipper": skipper,
    "commuter": commuter,
    "small-storage": small_storage,
    "queue-churn": queue_churn,
    "pins-offline": pins_offline,
}


def build(style: str, seed: int = 4) -> list[str]:
    """The lines of one style's trace."""
    return build_with(STYLES[style], style, seed)


def build_with(write: Callable[[Story], float], name: str, seed: int = 4) -> list[str]:
    """The lines of the trace that `write` tells."""
    story = Story(random.Random(f"{name}:{seed}"), storage_limit=1_000_000_000)
    _catalogue(story, 24)
    end = write(story)
    return story.lines(end)


def write_all(out_dir: Path) -> list[Path]:
    """Write every style's trace into `out_dir`; return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for style in STYLES:
        path = out_dir / f"{style}.jsonl"
        path.write_text("\n".join(build(style)) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent
    for p in write_all(target):
        print(p)
