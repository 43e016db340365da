"""The controller's change events have their wire form in player/web/wire.py (api.md's player and
queue messages, made from the controller's state when a client listens)."""

from __future__ import annotations

from player.engine.fake import FakeEngine
from player.playback.changes import PlayerChanged, QueueChanged, playback_changed
from player.playback.controller import PlayerController
from player.web.wire import event_json


class NoMusic:
    async def resolve(self, track: object) -> None:
        return None


def test_player_and_queue_changes_become_api_messages() -> None:
    controller = PlayerController(FakeEngine(), NoMusic())  # type: ignore[arg-type]
    player = event_json(playback_changed(controller, "player"))
    queue = event_json(playback_changed(controller, "queue"))
    assert player == {"type": "player", "player": controller.player_json()}
    assert queue == {"type": "queue", "queue": controller.queue.to_json()}
    assert isinstance(playback_changed(controller, "queue"), QueueChanged)
    assert isinstance(playback_changed(controller, "player"), PlayerChanged)
