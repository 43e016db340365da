"""The EventBus: a client that falls behind is cut off (never waited for), the others go on;
JSON is made only when a client listens; in-process listeners see the typed event."""

from __future__ import annotations

import json
from dataclasses import dataclass

from player.web.bus import EventBus


@dataclass(frozen=True)
class Counted:
    """A typed event whose wire form counts how often it was made."""

    n: int


async def test_a_slow_client_is_cut_off_and_the_others_keep_every_message() -> None:
    bus = EventBus(client_queue_size=3)
    cut: list[str] = []
    slow = bus.subscribe(on_overflow=lambda: cut.append("slow"))
    fast = bus.subscribe()
    got: list[str | None] = []
    for n in range(5):
        bus.publish({"type": "tick", "n": n})
        got.append(await fast.next())  # the fast client reads as messages come
    assert cut == ["slow"] and slow.overflowed
    assert await slow.next() is None  # its mailbox was emptied and ended, not left to grow
    assert [json.loads(text)["n"] for text in got if text] == [0, 1, 2, 3, 4]
    assert bus.subscriber_count == 1


async def test_json_only_when_someone_listens_and_listeners_get_the_typed_event() -> None:
    bus = EventBus()
    seen: list[object] = []
    bus.add_listener(seen.append)
    bus.publish(Counted(1))  # no client: no wire form is looked for (Counted has none)
    assert seen == [Counted(1)]
    sub = bus.subscribe()
    bus.publish({"type": "x"})
    assert json.loads(await sub.next() or "") == {"type": "x"}
    bus.close()
    assert await sub.next() is None
