""".m3u / .m3u8 files in the music folder, read into playlists.

An entry is a path relative to the playlist's folder, an absolute path, or a `file://` URL, and
it is used only when it names an audio file inside the music folder, symlinks resolved: a playlist
can never make tapedeck open a file elsewhere on the device. Every line that is not a comment and
cannot be used (a stream URL, a path outside, a file that is not audio) is skipped and counted.
Entries are kept as track ids (derived from the path like the scan's), so a file added later
joins the playlist when the scan catalogues it.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from cache.local.ids import playlist_id, track_id
from cache.local.tags import AUDIO_SUFFIXES
from cache.local.walk import suffix
from cache.models import ItemId, SourceKind
from cache.playlists import MAX_ENTRIES, PlaylistRecord

log = logging.getLogger(__name__)
MAX_BYTES = 4 * 1024 * 1024  # a bigger "playlist" is not one: left unread


def read_playlists(root: Path, relpaths: list[str]) -> list[PlaylistRecord]:
    """Each readable playlist file among `relpaths` (POSIX, relative to `root`). Blocking."""
    real_root = Path(os.path.realpath(root))
    found = []
    for relpath in relpaths:
        record = read_playlist(root, real_root, relpath)
        if record is not None:
            found.append(record)
    return found


def read_playlist(root: Path, real_root: Path, relpath: str) -> PlaylistRecord | None:
    """One playlist file; None when it cannot be read at all."""
    try:
        with (root / relpath).open("rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as err:
        log.warning("playlist %s unreadable: %s", relpath, err)
        return None
    if len(data) > MAX_BYTES:
        log.warning("playlist %s is over %d bytes: left out", relpath, MAX_BYTES)
        return None
    name, lines = _decode(data, relpath)
    folder = PurePosixPath(relpath).parent
    items: list[ItemId] = []
    skipped = 0
    for line in lines:
        entry = _entry(root, real_root, folder, line)
        if entry is None:
            skipped += 1
        elif len(items) < MAX_ENTRIES:
            items.append(track_id(entry))
    if skipped:
        log.info("playlist %s: %d line(s) skipped", relpath, skipped)
    return PlaylistRecord(
        playlist_id(relpath), SourceKind.LOCAL, name, tuple(items), skipped, relpath
    )


def _decode(data: bytes, relpath: str) -> tuple[str, list[str]]:
    """(name, entry lines): `#PLAYLIST:` names it, else the file's name; comments dropped."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # .m3u8 is UTF-8 by definition; a plain .m3u from an old player is often Latin-1.
        text = data.decode("latin-1")
    name = PurePosixPath(relpath).stem
    lines = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.upper().startswith("#PLAYLIST:") and line[10:].strip():
            name = line[10:].strip()
        elif line and not line.startswith("#"):
            lines.append(line)
    return name, lines


def _entry(root: Path, real_root: Path, folder: PurePosixPath, line: str) -> str | None:
    """The entry's path relative to the music folder, or None when it must not be used."""
    path = _path_of(line)
    if path is None or "\x00" in path:
        return None
    full = os.path.normpath(root / folder / path)  # an absolute `path` wins; no file opened
    rel = _relative(full, root) or _relative(full, real_root)
    if rel is None or suffix(rel) not in AUDIO_SUFFIXES:
        return None
    # Symlinks resolved: a link inside the folder to a file outside it is refused too.
    if not Path(os.path.realpath(full)).is_relative_to(real_root):
        return None
    return rel


def _path_of(line: str) -> str | None:
    """A file path from an entry line: plain, Windows-style or a file:// URL; None for a URL."""
    if line.lower().startswith("file://"):
        return unquote(urlsplit(line).path)
    if "://" in line or (len(line) > 1 and line[1] == ":" and line[0].isalpha()):
        return None  # a stream, or a Windows drive path that cannot be on this disk
    return line.replace("\\", "/")


def _relative(full: str, root: Path) -> str | None:
    base = os.path.normpath(root)
    if full == base or not full.startswith(base.rstrip("/") + "/"):
        return None
    return full[len(base.rstrip("/")) + 1 :]
