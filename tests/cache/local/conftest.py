"""Helpers for the local-folder tests: real WAV files, real SQLite catalogues on tmp_path."""

from __future__ import annotations

import math
import wave
from array import array
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from mutagen import id3
from mutagen.wave import WAVE

from cache.catalogue import Catalogue
from cache.db import open_db
from cache.schema import MIGRATIONS

RATE = 8000


def write_wav(path: Path, seconds: float = 1.0, tags: Mapping[str, str] | None = None) -> Path:
    """A short sine WAV at `path`; `tags` maps ID3 frame ids (TIT2, TXXX:desc, ...) to text."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = int(RATE * seconds)
    pcm = array("h", (int(8000 * math.sin(2 * math.pi * 440 * i / RATE)) for i in range(n)))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm.tobytes())
    if tags:
        wave_file: Any = WAVE
        audio = wave_file(path)
        audio.add_tags()
        for key, text in tags.items():
            frame_id, _, desc = key.partition(":")
            frame: Any = getattr(id3, frame_id)
            extra = {"desc": desc} if desc else {}
            audio.tags.add(frame(encoding=id3.Encoding.UTF8, text=[text], **extra))
        audio.save()
    return path


@pytest.fixture
async def catalogue(tmp_path: Path) -> AsyncIterator[Catalogue]:
    conn = await open_db(tmp_path / "state" / "cache.db", MIGRATIONS)
    try:
        yield Catalogue(conn)
    finally:
        await conn.close()
