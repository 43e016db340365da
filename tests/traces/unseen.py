"""Listening styles the pre-cacher was not designed on (issue 18), built in memory with any seed.

Each style tells how someone listens: a car on a daily commute, a listener hopping around a big
queue on slow Wi-Fi, a kitchen speaker shuffling a slice of a big pool, a weekend away on pins,
and a desk on ethernet that plays long queues. `build(style, seed)` gives the trace's lines
(shared/traces.md format); the same seed always gives the same bytes.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable

from tests.traces.generate import DAY, Story, Track

SEEDS = (1, 2, 3, 4, 5)
# Seeds 1 and 2 were the ones looked at while tuning; 3 was held out by the session that wrote
# the styles, 4 and 5 by the next one (added before its tuning, never looked at during it), and
# so were the shared samples. Session 7 saw every seed's figures while weighing SETTLED_STAY
# (cache/planner/smart.py): kitchen-shuffle's waste by the day it was fetched, and how long each
# trace's first queue came after joining its network. The hour was chosen from a car's minutes
# against a kitchen's hours and never varied, but 3, 4, 5 are not unseen by that rule.
TUNED_SEEDS = (1, 2)


def _catalogue(story: Story, n_albums: int, tracks: tuple[int, int] = (6, 12)) -> None:
    for a in range(n_albums):
        bitrate = story.rng.choice((40_000, 40_000, 110_000))  # bytes/s: mp3 320k or flac
        album = []
        for n in range(1, story.rng.randint(*tracks) + 1):
            duration = round(120 + story.rng.random() * 300, 1)
            size = int(duration * bitrate)
            album.append(Track(f"c{a:03d}t{n:02d}", f"c{a:03d}", n, size, duration))
        story.albums.append(album)


def _play_on(story: Story, t: float, queue: list[Track], pos: int, until: float, skip: float,
             jump: float = 0.0) -> tuple[float, int]:  # fmt: skip
    """Play the queue from `pos` until `until` (skips and jumps within the queue); stop there.
    Return the time and the position where the next listen goes on."""
    while pos < len(queue) and t < until:
        if jump and story.rng.random() < jump:
            pos = story.rng.randrange(len(queue))
        item = queue[pos]
        story.add(t, {"type": "play", "id": item.id})
        skipped = story.rng.random() < skip
        t += 3 + story.rng.random() * 25 if skipped else item.duration
        pos += 1
    story.add(min(t, until), {"type": "stop"})
    return min(t, until), pos


def _patchy(story: Story, start: float, end: float, kind: str = "cellular") -> None:
    """On `kind` from `start`, with dead zones of 20 s to 3 min, offline at `end`."""
    t = start
    story.net(t, kind)
    while True:
        t += 120 + story.rng.random() * 600
        if t >= end:
            break
        story.net(t, "offline")
        t += 20 + story.rng.random() * 160
        story.net(min(t, end), kind)
    story.net(end, "offline")


def car_commute(story: Story) -> float:
    """Home Wi-Fi for a few minutes morning and evening, the drive on patchy mobile data; a new
    queue of three albums every other morning, about 10 % skipped."""
    queue: list[Track] = []
    pos = 0
    story.net(0.0, "offline")
    for d in range(10):
        for leave, home in ((7.5 * 3600, False), (17.5 * 3600, True)):
            t0 = d * DAY + leave + story.rng.random() * 900
            wifi = 60 + story.rng.random() * 180
            story.net(t0, "wifi")
            if d % 2 == 0 and not home:
                queue = [x for a in story.rng.sample(story.albums, 3) for x in a]
                pos = 0
                at = t0 + 10 + story.rng.random() * wifi / 2
                story.add(at, {"type": "queue", "items": [x.id for x in queue], "index": 0})
            drive = 1800 + story.rng.random() * 1500
            _patchy(story, t0 + wifi, t0 + wifi + drive)
            if queue:
                _, pos = _play_on(story, t0 + wifi + 20, queue, pos, t0 + wifi + drive, 0.1)
    return 10 * DAY


def queue_hopper(story: Story) -> float:
    """Six albums queued four times a day, jumps within the queue, a quarter skipped; slow Wi-Fi
    with short drop-outs; 1 GB of storage."""
    story.net(0.0, "wifi")
    for d in range(5):
        for n in range(4):
            t = d * DAY + (8 + 4 * n) * 3600 + story.rng.random() * 1800
            queue = [x for a in story.rng.sample(story.albums, 6) for x in a]
            story.add(t, {"type": "queue", "items": [x.id for x in queue], "index": 0})
            _play_on(story, t + 5, queue, 0, t + 5000 + story.rng.random() * 3000, 0.25, 0.1)
        for _ in range(6):
            t = d * DAY + story.rng.random() * DAY
            story.net(t, "offline")
            story.net(t + 10 + story.rng.random() * 60, "wifi")
    return 5 * DAY


def kitchen_shuffle(story: Story) -> float:
    """A shuffled 120-track slice of a 600-track pool three times a day, a third skipped."""
    story.net(0.0, "wifi")
    pool = story.tracks()
    for d in range(5):
        for hour in (7.5, 12.5, 19):
            t = d * DAY + hour * 3600 + story.rng.random() * 1200
            queue = story.rng.sample(pool, 120)
            story.add(t, {"type": "queue", "items": [x.id for x in queue], "index": 0})
            _play_on(story, t + 5, queue, 0, t + 2400 + story.rng.random() * 3000, 0.33)
        t = d * DAY + story.rng.random() * DAY
        story.net(t, "offline")
        story.net(t + 30 + story.rng.random() * 300, "wifi")
    return 5 * DAY


def weekend_away(story: Story) -> float:
    """Five albums pinned on Friday's Wi-Fi, then only mobile data (wifi_only), playing the pins
    and a queue of other albums."""
    story.net(0.0, "wifi")
    pinned = story.rng.sample(story.albums, 5)
    for n, album in enumerate(pinned):
        story.add(18 * 3600 + n, {"type": "pin", "album_id": album[0].album})
    others = [a for a in story.albums if a not in pinned]
    queue = [x for a in story.rng.sample(others, 2) for x in a]
    story.add(20 * 3600, {"type": "queue", "items": [x.id for x in queue], "index": 0})
    _play_on(story, 20 * 3600 + 10, queue, 0, 21 * 3600, 0.1)
    _patchy(story, DAY, 3 * DAY + 12 * 3600)
    for d in (1, 2):
        for hour in (10, 16):
            album = story.rng.choice(pinned if hour == 10 else others)
            t = d * DAY + hour * 3600
            story.add(t, {"type": "queue", "items": [x.id for x in album], "index": 0})
            _play_on(story, t + 5, album, 0, t + 4000, 0.1)
    return 3 * DAY + 13 * 3600


def office_desk(story: Story) -> float:
    """Ethernet at a desk, long queues of four albums played most of the working day, storage
    of 400 MB, the occasional outage of the office network."""
    story.storage_limit = 400_000_000
    for d in range(5):
        t = d * DAY + 9 * 3600
        story.net(t, "ethernet")
        queue = [x for a in story.rng.sample(story.albums, 4) for x in a]
        story.add(t + 60, {"type": "queue", "items": [x.id for x in queue], "index": 0})
        _play_on(story, t + 90, queue, 0, t + 7 * 3600, 0.05)
        blip = t + story.rng.random() * 6 * 3600
        story.net(blip, "offline")
        story.net(blip + 60 + story.rng.random() * 600, "ethernet")
        story.net(t + 8 * 3600, "offline")
    return 5 * DAY


STYLES: dict[str, tuple[Callable[[Story], float], int, dict[str, int]]] = {
    # style: (story, albums in the catalogue, bandwidth overrides)
    "car-commute": (car_commute, 40, {}),
    "queue-hopper": (queue_hopper, 40, {"wifi": 400_000}),
    "kitchen-shuffle": (kitchen_shuffle, 66, {}),
    "weekend-away": (weekend_away, 30, {}),
    "office-desk": (office_desk, 40, {}),
}


def build(style: str, seed: int) -> list[str]:
    """The lines of one style's trace for one seed."""
    write, n_albums, bandwidth = STYLES[style]
    story = Story(random.Random(f"unseen:{style}:{seed}"), storage_limit=2_000_000_000)
    if style == "queue-hopper":
        story.storage_limit = 1_000_000_000
    _catalogue(story, n_albums, (9, 9) if style == "kitchen-shuffle" else (6, 12))
    lines = story.lines(write(story))
    return [_with_bandwidth(line, bandwidth) for line in lines]


def _with_bandwidth(line: str, bandwidth: dict[str, int]) -> str:
    if not bandwidth or '"type": "world"' not in line:
        return line
    world = json.loads(line)
    world["bandwidth"] = {**world["bandwidth"], **bandwidth}
    return json.dumps(world)
