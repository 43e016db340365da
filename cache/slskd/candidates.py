"""Ranking search results: one candidate per peer and directory, best first (api.md's shape)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cache.slskd.wire import SearchFile, SearchResponse, remote_parent

AUDIO_EXTENSIONS = frozenset(
    {
        "flac",
        "mp3",
        "m4a",
        "aac",
        "ogg",
        "oga",
        "opus",
        "wav",
        "aif",
        "aiff",
        "alac",
        "ape",
        "wv",
        "wma",
    }
)
LOSSLESS_EXTENSIONS = frozenset({"flac", "wav", "aif", "aiff", "alac", "ape", "wv"})


@dataclass(frozen=True, slots=True)
class ScoreWeights:
    """How much each quality counts; they sum to 1 so a score stays within 0..1."""

    format: float = 0.35
    free_slot: float = 0.2
    queue: float = 0.15
    speed: float = 0.2
    file_count: float = 0.1
    fast_speed: float = 5 * 1024 * 1024  # bytes/s that counts as "as fast as it matters"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One peer's directory of matching audio files, with its score."""

    username: str
    directory: str
    files: tuple[SearchFile, ...]
    score: float

    def to_json(self) -> dict[str, Any]:
        """The api.md shape: bitrate and length only when the peer reported them."""
        return {
            "username": self.username,
            "directory": self.directory,
            "files": [_file_json(f) for f in self.files],
            "score": self.score,
        }


def _file_json(f: SearchFile) -> dict[str, Any]:
    body: dict[str, Any] = {"filename": f.filename, "size": f.size}
    if f.bit_rate is not None:
        body["bitrate"] = f.bit_rate
    if f.length is not None:
        body["length"] = f.length
    return body


def rank_candidates(
    responses: Sequence[SearchResponse],
    *,
    expected_files: int | None = None,
    weights: ScoreWeights = ScoreWeights(),
) -> list[Candidate]:
    """Group unlocked audio files by (peer, directory), score each group, best first."""
    candidates: list[Candidate] = []
    for response in responses:
        groups: dict[str, list[SearchFile]] = {}
        for f in response.files:
            if not f.is_locked and f.extension in AUDIO_EXTENSIONS:
                groups.setdefault(remote_parent(f.filename), []).append(f)
        for directory, files in groups.items():
            files.sort(key=lambda f: f.filename.casefold())
            score = _score(response, files, expected_files, weights)
            candidates.append(Candidate(response.username, directory, tuple(files), score))
    candidates.sort(key=lambda c: (-c.score, c.username, c.directory))
    return candidates


def _score(
    response: SearchResponse,
    files: Sequence[SearchFile],
    expected: int | None,
    w: ScoreWeights,
) -> float:
    fmt = sum(format_quality(f) for f in files) / len(files)
    slot = 1.0 if response.has_free_upload_slot else 0.0
    queue = 1.0 / (1.0 + response.queue_length / 10.0)
    speed = min(1.0, math.log1p(max(0, response.upload_speed)) / math.log1p(w.fast_speed))
    count = (
        1.0 if expected is None else 1.0 - abs(len(files) - expected) / max(len(files), expected)
    )
    total = w.format * fmt + w.free_slot * slot + w.queue * queue + w.speed * speed
    return round(total + w.file_count * count, 4)


def format_quality(f: SearchFile) -> float:
    """1 for lossless, up to 0.8 for lossy by bitrate (320 kbps = 0.8), 0.3 when unknown."""
    if f.extension in LOSSLESS_EXTENSIONS:
        return 1.0
    if f.bit_rate is None:
        return 0.3
    return 0.8 * min(1.0, f.bit_rate / 320)
