"""Generated libraries for the scale benchmarks: many short tagged FLACs, made once and cached.

One tiny FLAC stream is encoded by ffmpeg; every file is that stream behind its own Vorbis comment
block, so 20,000 files take seconds and stay valid for mutagen, MPD and mpv alike.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

CACHE_ROOT = Path(os.environ.get("TAPEDECK_BENCH_CACHE", "/tmp/tapedeck-bench"))
TRACKS_PER_ALBUM = 12
_VERSION = 3  # bump when the layout changes, so a stale cached folder is not reused
LONG_ALBUM = "Long/Long Album"  # plus three 60 s tracks, for the measures taken while playing
LONG_TRACKS = 3


def _template(folder: Path, seconds: float = 0.2) -> bytes:
    """The STREAMINFO block and audio frames of a short FLAC (without its own tags)."""
    path = folder / f"template-{seconds:g}.flac"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".template-{os.getpid()}.flac"
        subprocess.run(
            ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
             f"sine=frequency=440:sample_rate=22050:duration={seconds:g}", "-ac", "1",
             "-map_metadata", "-1", "-fflags", "+bitexact", str(partial)],
            check=True,
        )  # fmt: skip
        partial.replace(path)
    data = path.read_bytes()
    assert data[:4] == b"fLaC"
    pos, streaminfo, last = 4, b"", False
    while not last:
        header = data[pos]
        last, kind = bool(header & 0x80), header & 0x7F
        length = int.from_bytes(data[pos + 1 : pos + 4], "big")
        if kind == 0:
            streaminfo = data[pos + 4 : pos + 4 + length]
        pos += 4 + length
    return streaminfo + data[pos:]


def _comment_block(tags: dict[str, str]) -> bytes:
    vendor = b"tapedeck bench"
    body = struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", len(tags))
    for key, value in tags.items():
        entry = f"{key}={value}".encode()
        body += struct.pack("<I", len(entry)) + entry
    return bytes([0x84]) + len(body).to_bytes(3, "big") + body  # 4: VORBIS_COMMENT, last block


def flac_bytes(template: bytes, tags: dict[str, str]) -> bytes:
    """A FLAC file: the template's STREAMINFO (34 bytes) and frames, with `tags`."""
    streaminfo, frames = template[:34], template[34:]
    return (
        b"fLaC"
        + bytes([0x00])
        + (34).to_bytes(3, "big")
        + streaminfo
        + _comment_block(tags)
        + frames
    )


def track_tags(index: int) -> tuple[str, dict[str, str]]:
    """The relative path and tags of the library's `index`-th file (stable across runs)."""
    album_no, number = divmod(index, TRACKS_PER_ALBUM)
    artist = f"Artist {album_no // 4:04d}"
    album = f"Album {album_no:05d}"
    rel = f"{artist}/{album}/{number + 1:02d} - Song {index:06d}.flac"
    tags = {
        "TITLE": f"Song {index:06d}",
        "ALBUM": album,
        "ARTIST": artist,
        "ALBUMARTIST": artist,
        "TRACKNUMBER": str(number + 1),
        "DISCNUMBER": "1",
        "DATE": str(1970 + album_no % 50),
        "GENRE": "Bench",
    }
    return rel, tags


def warm_page_cache(music: Path) -> None:
    """Read every file of `music` once, so that the scans measured next (tapedeck's first, then
    MPD's) both read from memory, as the issue's figures were taken: whichever ran first would
    otherwise pay the disk for both (a cold library made tapedeck's first scan 2-3x slower)."""
    for path in sorted(music.rglob("*")):
        if path.is_file():
            with path.open("rb") as f:
                while f.read(1 << 20):
                    pass


def library(count: int) -> Path:
    """A folder of `count` tagged FLACs (under <it>/music), made once under CACHE_ROOT and reused;
    built beside and renamed into place, so a concurrent run never sees half a library."""
    root = CACHE_ROOT / f"library-{count}-v{_VERSION}"
    if root.exists():
        return root
    template = _template(CACHE_ROOT)
    building = CACHE_ROOT / f".building-{count}-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    for index in range(count):
        rel, tags = track_tags(index)
        path = building / "music" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(flac_bytes(template, tags))
    _long_album(building / "music")
    try:
        building.rename(root)
    except OSError:  # another run finished first: use its copy
        shutil.rmtree(building, ignore_errors=True)
    return root


def _long_album(music: Path) -> None:
    template = _template(CACHE_ROOT, 60.0)
    folder = music / LONG_ALBUM
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(1, LONG_TRACKS + 1):
        tags = {"TITLE": f"Long {number}", "ALBUM": "Long Album", "ARTIST": "Long"}
        tags |= {"TRACKNUMBER": str(number), "DISCNUMBER": "1"}
        (folder / f"{number:02d} - Long {number}.flac").write_bytes(flac_bytes(template, tags))
