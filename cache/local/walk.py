"""Walking the music folder: every audio file with its size and mtime, nothing opened."""

from __future__ import annotations

import os
import stat
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from cache.local.tags import AUDIO_SUFFIXES

PLAYLIST_SUFFIXES = frozenset({".m3u", ".m3u8"})
_NAME = attrgetter("name")  # a C-level sort key: one call per entry of every folder


class FileStat(NamedTuple):
    """One audio file found by the walk (a NamedTuple: one is made per file at every rescan)."""

    relpath: str  # POSIX, relative to music_dir
    size: int
    mtime_ns: int


def walk_music(root: Path, playlists: list[str] | None = None) -> list[FileStat]:
    """Every audio file under `root`, sorted; hidden entries skipped, symlinks followed only
    while they stay inside `root`, each real directory and file taken once. Blocking.
    The relative paths of .m3u/.m3u8 files go into `playlists` when it is given.

    os.scandir hands back each entry's type without a stat, so a plain file costs one stat and
    only symlinks are resolved (a realpath per file was most of a rescan's time).
    """
    walk = _Walk(root.resolve(), playlists)
    walk.directory(str(walk.root), "")
    return sorted(walk.found)  # by relpath: the tuples' first field, and unique


class _Walk:
    def __init__(self, real_root: Path, playlists: list[str] | None) -> None:
        self.root = real_root
        self.playlists = playlists
        self.found: list[FileStat] = []
        self._seen: set[tuple[int, int]] = set()  # (device, inode) of directories and files

    def directory(self, path: str, rel: str) -> None:
        try:
            st = os.stat(path)  # noqa: PTH116 - a str path: a Path per folder costs more
            entries = sorted(os.scandir(path), key=_NAME)
        except OSError:  # unreadable or gone mid-walk: not there
            return
        if (st.st_dev, st.st_ino) in self._seen:
            return
        self._seen.add((st.st_dev, st.st_ino))
        subdirs: list[os.DirEntry[str]] = []
        # The loop below runs once per file of the library: kept flat on purpose (a rescan of
        # 20,000 unchanged files is this loop and one stat each).
        found, seen, suffixes = self.found, self._seen, AUDIO_SUFFIXES
        for entry in entries:
            name = entry.name
            if name[0] == "." or (entry.is_symlink() and not self._inside(entry.path)):
                continue
            try:
                if entry.is_dir():
                    subdirs.append(entry)
                    continue
                # suffix() inlined (once per file); a name without a dot gives its last
                # character, never an audio suffix
                if name[name.rfind(".") :].lower() not in suffixes:
                    self._other(entry, rel + name)
                    continue
                fst = entry.stat()
            except OSError:  # a dangling link or an entry deleted mid-walk
                continue
            key = (fst.st_dev, fst.st_ino)
            if stat.S_ISREG(fst.st_mode) and key not in seen:
                seen.add(key)
                found.append(FileStat(rel + name, fst.st_size, fst.st_mtime_ns))
        for entry in subdirs:  # files first, then subfolders: the order os.walk visited them in
            self.directory(entry.path, f"{rel}{entry.name}/")

    def _other(self, entry: os.DirEntry[str], relpath: str) -> None:
        """A file that is not audio: noted when it is a playlist."""
        if self.playlists is not None and suffix(relpath) in PLAYLIST_SUFFIXES and entry.is_file():
            self.playlists.append(relpath)

    def _inside(self, path: str) -> bool:
        return Path(os.path.realpath(path)).is_relative_to(self.root)


def suffix(name: str) -> str:
    """A file name's lowercase extension with its dot, like Path.suffix (a string op: the walk and
    the readers run it 20,000 times a scan, and Path objects cost more than the rest together)."""
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""
