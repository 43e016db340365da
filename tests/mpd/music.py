"""A small folder of tagged FLAC files (ffmpeg), read the same way by real MPD and by tapedeck."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

FFMPEG = shutil.which("ffmpeg")


@dataclass(frozen=True, slots=True)
class Song:
    folder: str
    name: str
    title: str
    artist: str
    album: str
    album_artist: str
    track: int
    date: str
    seconds: float = 20.0
    disc: int = 1


SONGS = (
    Song("Alpha Band/First Album", "01 - Morning.flac", "Morning", "Alpha Band", "First Album",
         "Alpha Band", 1, "2001"),
    Song("Alpha Band/First Album", "02 - Noon.flac", "Noon", "Alpha Band", "First Album",
         "Alpha Band", 2, "2001"),
    Song("Alpha Band/First Album", "03 - Night.flac", "Night", "Alpha Band feat. Bee",
         "First Album", "Alpha Band", 3, "2001"),
    Song("Alpha Band/Second Album", "01 - Rain.flac", "Rain", "Alpha Band", "Second Album",
         "Alpha Band", 1, "2004"),
    Song("Alpha Band/Second Album", "02 - Snow.flac", "Snow", "Alpha Band", "Second Album",
         "Alpha Band", 2, "2004"),
    Song("Cello Trio/Strings", "01 - Bow.flac", "Bow", "Cello Trio", "Strings", "Cello Trio",
         1, "1999"),
    Song("Cello Trio/Strings", "02 - Pluck.flac", "Pluck", "Cello Trio", "Strings",
         "Cello Trio", 2, "1999"),
    Song("Cello Trio/Strings", "03 - Morning Dew.flac", "Morning Dew", "Cello Trio",
         "Strings", "Cello Trio", 3, "1999"),
)  # fmt: skip

# A 2x2 PNG: the cover of "First Album" (albumart reads cover.* next to the files).
COVER_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a73"
    "0000001649444154789c63f8cfc0f01f0418181818fe03000f1a02fe2a4b0a5f"
    "0000000049454e44ae426082"
)


def make_music(root: Path, cover_size: int = 0) -> Path:
    """Write SONGS under `root` (kept when already there); `cover_size` pads the cover."""
    assert FFMPEG is not None, "ffmpeg makes the test music"
    for song in SONGS:
        path = root / song.folder / song.name
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tags = {
            "title": song.title, "artist": song.artist, "album": song.album,
            "album_artist": song.album_artist, "track": str(song.track), "date": song.date,
            "disc": str(song.disc),
        }  # fmt: skip
        args = [FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i"]
        args += [
            f"sine=frequency={220 + 40 * song.track}:sample_rate=44100:duration={song.seconds}"
        ]
        args += ["-ac", "2"]
        for key, value in tags.items():
            args += ["-metadata", f"{key}={value}"]
        subprocess.run([*args, str(path)], check=True, timeout=60)
    cover = root / SONGS[0].folder / "cover.png"
    cover.write_bytes(COVER_PNG + b"\0" * cover_size)
    return root
