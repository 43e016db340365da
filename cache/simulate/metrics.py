"""The figures of shared/traces.md, counted during a run, and their JSON object (key order fixed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class Metrics:
    """Counters; bytes are floats while running (progress is continuous) and rounded at the end."""

    policy: str
    starts: int = 0
    local: int = 0
    streamed: int = 0
    unplayable: int = 0
    downloaded_bytes: float = 0.0
    wasted_bytes: float = 0.0
    metered_bytes: float = 0.0
    streamed_bytes: float = 0.0
    max_storage_bytes: float = 0.0
    silent_seconds: float = 0.0

    @property
    def hit_rate(self) -> float:
        """local / starts (0 when nothing started)."""
        return self.local / self.starts if self.starts else 0.0

    def to_json(self) -> dict[str, Any]:
        """The output object, keys in the order of traces.md."""
        return {
            "policy": self.policy,
            "starts": self.starts,
            "local": self.local,
            "streamed": self.streamed,
            "unplayable": self.unplayable,
            "hit_rate": round(self.hit_rate, 4),
            "downloaded_bytes": round(self.downloaded_bytes),
            "wasted_bytes": round(self.wasted_bytes),
            "metered_bytes": round(self.metered_bytes),
            "streamed_bytes": round(self.streamed_bytes),
            "max_storage_bytes": round(self.max_storage_bytes),
            "silent_seconds": round(self.silent_seconds, 1),
        }
