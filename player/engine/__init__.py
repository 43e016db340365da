"""Playback engines: the real one on libmpv and a silent fake with the same behaviour."""

from __future__ import annotations

from typing import TYPE_CHECKING

from player.engine.audio import AudioSettings

if TYPE_CHECKING:
    from player.engine.base import Engine


class EngineError(Exception):
    """The engine could not do what was asked (not started, shut down, libmpv refused)."""


def create_engine(settings: AudioSettings, *, fake: bool = False) -> Engine:
    """The engine for `settings`: libmpv, or the silent fake (demo mode, tests)."""
    # Imported here: python-mpv loads libmpv when imported, which is work the fake never needs.
    if fake:
        from player.engine.fake import FakeEngine

        return FakeEngine(position_interval=settings.position_interval)
    from player.engine.mpv import MpvEngine

    return MpvEngine(settings)


__all__ = ["AudioSettings", "EngineError", "create_engine"]
