"""Queue events as changes (`/events?queue=changes`): each message carries one change, never the
whole queue; a client that applies them (as the phone page does) holds the server's queue after
any run of changes, and re-reads it on a reset or a gap."""

from __future__ import annotations

import json
import random
from typing import Any

from cache.models import AlbumId, ItemId, SourceKind, Track
from player.engine.fake import FakeEngine
from player.playback.changes import QueueChanged
from player.playback.controller import PlayerController
from player.web.bus import EventBus
from player.web.wire import CHANGE_LIMIT, changes_json, event_json

Message = dict[str, Any]


class NoMusic:
    async def resolve(self, track: object) -> None:
        return None


def _tracks(n: int, start: int = 0) -> list[Track]:
    return [
        Track(ItemId(f"t{i}"), f"T{i}", "A", AlbumId("a"), ("X",), 1.0, i, 1, "flac", 1,
              SourceKind.LOCAL)
        for i in range(start, start + n)
    ]  # fmt: skip


class Follower:
    """The page's algorithm (player/web/static/js/queuestate.js) in Python."""

    def __init__(self, snapshot: Message) -> None:
        self.ids = [e["entry_id"] for e in snapshot["entries"]]
        self.index, self.version = snapshot["index"], snapshot["version"]
        self.refetches = 0

    def apply(self, msg: Message, full: Message) -> None:
        head, change = msg["queue"], msg["change"]
        if head["version"] <= self.version:
            return
        if change["since"] != self.version or change["reset"]:
            source = head if "entries" in head else full  # a small reset carries the queue
            self.refetches += "entries" not in head
            self.ids = [e["entry_id"] for e in source["entries"]]
        else:
            gone = set(change["removed"])
            self.ids = [i for i in self.ids if i not in gone]
            for move in change["moved"]:
                self.ids.remove(move["entry_id"])
                self.ids.insert(move["to"], move["entry_id"])
            for row in change["inserted"]:
                self.ids.insert(row["index"], row["entry"]["entry_id"])
        self.index, self.version = head["index"], head["version"]
        assert len(self.ids) == head["total"]


def _random_change(ctl: PlayerController, rnd: random.Random, made: list[int]) -> None:
    q, n = ctl.queue, len(ctl.queue.entries)
    kind = rnd.choice(["append", "next", "remove", "move", "jump", "replace", "shuffle", "clear"])
    if kind in ("append", "next", "replace") or n == 0:
        tracks = _tracks(rnd.choice([1, 3, 40, CHANGE_LIMIT + 1]), made[0])
        made[0] += len(tracks)
        {"append": q.append, "next": q.insert_next}.get(kind, q.replace)(tracks)
    elif kind == "remove":
        q.remove(q.entries[rnd.randrange(n)].entry_id)
    elif kind == "move":
        q.move(q.entries[rnd.randrange(n)].entry_id, rnd.randrange(n))
    elif kind == "jump":
        q.jump(rnd.randrange(n))
    elif kind == "shuffle":
        q.set_shuffle(rnd.random() < 0.5)
    else:
        q.clear() if rnd.random() < 0.2 else q.jump(rnd.randrange(n))


def test_a_follower_of_the_changes_always_holds_the_queue() -> None:
    ctl = PlayerController(FakeEngine(), NoMusic())  # type: ignore[arg-type]
    rnd, made = random.Random(14), [0]
    follower = Follower(ctl.queue.to_json())
    for step in range(400):
        _random_change(ctl, rnd, made)
        if step % 37 == 36:
            continue  # a message the client never saw: the next one shows a gap
        follower.apply(changes_json(QueueChanged(ctl)), ctl.queue.to_json())
        assert follower.ids == [e.entry_id for e in ctl.queue.entries]
        assert (follower.index, follower.version) == (ctl.queue.index, ctl.queue.version)
    assert follower.refetches > 0


def test_a_track_change_in_a_big_queue_is_a_small_message() -> None:
    ctl = PlayerController(FakeEngine(), NoMusic())  # type: ignore[arg-type]
    ctl.queue.append(_tracks(20_000))
    ctl.queue.jump(1)
    msg = changes_json(QueueChanged(ctl))
    assert len(json.dumps(msg)) < 300
    assert msg["change"] == {
        "since": ctl.queue.version - 1, "reset": False, "inserted": [], "removed": [], "moved": []
    }  # fmt: skip
    assert msg["queue"] == {"index": 1, "version": ctl.queue.version, "total": 20_000}
    ctl.queue.append(_tracks(2, 20_000))
    inserted = changes_json(QueueChanged(ctl))["change"]["inserted"]
    assert [row["index"] for row in inserted] == [20_000, 20_001]
    assert inserted[0]["entry"]["item"]["id"] == "t20000"


async def test_each_client_gets_its_form_made_once() -> None:
    ctl = PlayerController(FakeEngine(), NoMusic())  # type: ignore[arg-type]
    ctl.queue.append(_tracks(3))
    bus = EventBus()
    full, compact, compact2 = (
        bus.subscribe(),
        bus.subscribe(changes=True),
        bus.subscribe(changes=True),
    )
    bus.publish(QueueChanged(ctl))
    assert json.loads(await full.next() or "") == event_json(QueueChanged(ctl))
    first, second = await compact.next(), await compact2.next()
    assert first is second  # one text for both
    assert json.loads(first or "") == changes_json(QueueChanged(ctl))
    bus.publish({"type": "message", "text": "hi"})  # other events: one form for everyone
    assert await full.next() == await compact.next() == await compact2.next()
